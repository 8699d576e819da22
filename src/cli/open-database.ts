import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { PostgresPool } from '../adapters/postgres/postgres-pool';
import type * as Pglite from '../adapters/pglite';
import type { MigrationDialect } from '../migrations/migration-driver.interface';
import type { CliIo } from './cli-command';
import { messageOf } from './cli-output';
import type { SchemaSource } from '../schema-model/live-schema';
import {
  pgliteSchemaSource,
  postgresSchemaSource,
  sqliteSchemaSource,
} from '../schema-model/schema-sources';

/**
 * A database the CLI opened, and how to close it: its migration driver and its reads (what
 * `check` introspects with).
 */
export interface OpenedDatabase extends SchemaSource {
  /** The target by name, never with a password: `sqlite ./data/app.sqlite`, `postgres host:5432/app`. */
  readonly description: string;
  close(): Promise<void>;
}

/** What the environment names, before anything is opened. */
export interface DatabaseTarget {
  readonly provider: 'sqlite' | 'postgres' | 'pglite';
  readonly dialect: MigrationDialect;
  readonly description: string;
  /** For SQLite: whether the file is there (`:memory:` counts as there). */
  readonly exists: boolean;
}

const DEFAULT_SQLITE_PATH = './data/database.sqlite';

const setting = (env: Readonly<Record<string, string | undefined>>, name: string) =>
  env[name]?.trim() || undefined;

/** Reads the target from DATABASE_PROVIDER and friends; throws a plain Error with a usable message. */
export function describeTarget(env: Readonly<Record<string, string | undefined>>): DatabaseTarget {
  const provider = (setting(env, 'DATABASE_PROVIDER') ?? 'sqlite').toLowerCase();
  if (provider === 'sqlite') {
    const path = setting(env, 'SQLITE_PATH') ?? DEFAULT_SQLITE_PATH;
    return {
      provider,
      dialect: 'sqlite',
      description: `sqlite ${path}`,
      exists: path === ':memory:' || existsSync(path),
    };
  }
  if (provider === 'postgres' || provider === 'supabase') {
    const url = postgresUrl(env, provider);
    const { hostname, port, pathname } = new URL(url);
    // Host, port and database only: the URL may carry a password.
    const where = `${hostname}${port ? `:${port}` : ''}${pathname.length > 1 ? pathname : ''}`;
    return {
      provider: 'postgres',
      dialect: 'postgres',
      description: `postgres ${where}`,
      exists: true,
    };
  }
  if (provider === 'pglite') {
    const path = setting(env, 'PGLITE_PATH') ?? 'memory://';
    return { provider, dialect: 'postgres', description: `pglite ${path}`, exists: true };
  }
  throw new Error(`DATABASE_PROVIDER=${provider} is not one of sqlite, postgres, supabase, pglite`);
}

function postgresUrl(env: Readonly<Record<string, string | undefined>>, provider: string): string {
  const url = setting(env, 'DATABASE_URL');
  if (!url) throw new Error(`DATABASE_PROVIDER=${provider} needs DATABASE_URL`);
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    throw new Error('DATABASE_URL must start with postgresql:// or postgres://');
  }
  return url;
}

/**
 * Opens the database the environment names. `log` receives the drivers' waits (another process
 * holds the migration lock).
 */
export async function openDatabase(
  env: Readonly<Record<string, string | undefined>>,
  log: (line: string) => void,
): Promise<OpenedDatabase> {
  const target = describeTarget(env);
  if (target.provider === 'sqlite') {
    const path = setting(env, 'SQLITE_PATH') ?? DEFAULT_SQLITE_PATH;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    return {
      ...sqliteSchemaSource(db),
      description: target.description,
      close: async () => void db.close(),
    };
  }
  if (target.provider === 'postgres') {
    const pool = new PostgresPool({ connectionString: postgresUrl(env, 'postgres'), max: 1 });
    // An idle client's error (server restart) would otherwise crash the process.
    pool.on('error', () => undefined);
    return {
      // The lock is transaction-scoped, so this works through a transaction pooler too.
      ...postgresSchemaSource(pool, { log }),
      description: target.description,
      close: () => pool.end(),
    };
  }
  const path = setting(env, 'PGLITE_PATH') ?? 'memory://';
  // Loaded here: the PGlite adapter imports the migration runner, and PGlite is optional.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PGliteAdapter } = require('../adapters/pglite') as typeof Pglite;
  const adapter = await PGliteAdapter.open({ path, migrate: false });
  return {
    ...pgliteSchemaSource(adapter.db, { log }),
    description: target.description,
    close: () => adapter.close(),
  };
}

/**
 * Opens the database the environment names, prints its `Database:` line, runs `work` and closes
 * the database, whatever happens. Returns the exit code of `work`; 2 when the database cannot be
 * opened, 1 when `work` throws (printed with PostgreSQL's detail and hint when there are some).
 */
export async function withDatabase(
  io: Pick<CliIo, 'env' | 'stdout' | 'stderr'>,
  work: (database: OpenedDatabase) => Promise<number>,
): Promise<number> {
  let database: OpenedDatabase;
  try {
    database = await openDatabase(io.env, io.stderr);
  } catch (error) {
    io.stderr(`error: ${messageOf(error)}`);
    return 2;
  }
  try {
    io.stdout(`Database: ${database.description}`);
    return await work(database);
  } catch (error) {
    io.stderr(`error: ${messageOf(error)}`);
    // Postgres errors carry the useful part here: where in the file, and what to do.
    const cause = (error as { cause?: { detail?: string; hint?: string } }).cause;
    if (cause?.detail) io.stderr(`detail: ${cause.detail}`);
    if (cause?.hint) io.stderr(`hint: ${cause.hint}`);
    return 1;
  } finally {
    await database
      .close()
      .catch((error: unknown) => io.stderr(`error closing the database: ${messageOf(error)}`));
  }
}
