import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import { PostgresMigrationDriver } from './drivers/postgres-migration.driver';
import { SqliteMigrationDriver } from './drivers/sqlite-migration.driver';
import type * as Pglite from '../adapters/pglite';
import type { MigrationDriver } from './migration-driver.interface';
import { MigrationRunner, type MigrationResult } from './migration-runner';
import { formatMigration } from './migration.exception';

/** Where {@link runMigrateCommand} reads its settings and writes its lines. */
export interface MigrateCommandIo {
  /** The environment: DATABASE_PROVIDER, SQLITE_PATH, DATABASE_URL. */
  env: Readonly<Record<string, string | undefined>>;
  /** Receives each line of normal output. */
  stdout: (line: string) => void;
  /** Receives each line of error output. */
  stderr: (line: string) => void;
  /** The migrations folder. Default is the library's own `migrations/<dialect>`. */
  directory?: string;
}

const USAGE = [
  'Usage: npm run migrate -- <command>',
  '  status      list every migration and whether it is applied',
  '  up          apply every pending migration',
  '  down [n]    revert the last n applied migrations (default 1)',
  'Environment: DATABASE_PROVIDER=sqlite|postgres|supabase (default sqlite),',
  '  SQLITE_PATH (default ./data/database.sqlite), DATABASE_URL (postgres and supabase).',
];

const DEFAULT_SQLITE_PATH = './data/database.sqlite';

/** A connection the command opened, and how to close it. */
interface OpenedDatabase {
  driver: MigrationDriver;
  description: string;
  close(): Promise<void>;
}

type Command = { name: 'status' } | { name: 'up' } | { name: 'down'; steps: number };

/**
 * The `migrate` command line: parses the arguments, opens the database named by the environment,
 * runs the command and closes the database. Returns the exit code (0 done, 1 failed or the history
 * disagrees with the files, 2 bad usage) and never throws, so the entry point only sets
 * `process.exitCode`.
 */
export async function runMigrateCommand(
  args: readonly string[],
  io: MigrateCommandIo,
): Promise<number> {
  const command = parseCommand(args);
  if (typeof command === 'string') {
    if (command) io.stderr(command);
    USAGE.forEach(command ? io.stderr : io.stdout);
    return command ? 2 : 0;
  }

  let database: OpenedDatabase;
  try {
    database = await openDatabase(io);
  } catch (error) {
    io.stderr(`error: ${messageOf(error)}`);
    return 2;
  }

  try {
    io.stdout(`Database: ${database.description}`);
    const runner = new MigrationRunner(database.driver, {
      directory: io.directory,
      log: io.stdout,
    });
    switch (command.name) {
      case 'up':
        io.stdout(
          summary(await runner.up(), 'Applied', 'Nothing to apply: the database is up to date.'),
        );
        return 0;
      case 'down':
        io.stdout(summary(await runner.down(command.steps), 'Reverted', 'Nothing to revert.'));
        return 0;
      case 'status': {
        const rows = await runner.status();
        if (rows.length === 0) io.stdout('No migrations found.');
        const labels = rows.map((row) => formatMigration(row.version, row.name));
        const width = Math.max(0, ...labels.map((label) => label.length));
        rows.forEach((row, i) => {
          const line = `${row.state.padEnd(8)} ${labels[i].padEnd(width)}  ${row.appliedAt ?? ''}`;
          io.stdout(line.trimEnd());
        });
        return rows.some((r) => r.state === 'changed' || r.state === 'missing') ? 1 : 0;
      }
    }
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

/** The command, or a usage error message ('' when help was asked for). */
function parseCommand(args: readonly string[]): Command | string {
  const [name, ...rest] = args;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return '';
  if ((name === 'status' || name === 'up') && rest.length === 0) return { name };
  if (name === 'down' && rest.length <= 1) {
    if (rest.length === 0) return { name, steps: 1 };
    const steps = Number(rest[0]);
    if (/^\d+$/.test(rest[0]) && Number.isSafeInteger(steps) && steps >= 1) return { name, steps };
    return `down takes a positive whole number of migrations, got "${rest[0]}"`;
  }
  return `Unknown command: ${args.join(' ')}`;
}

async function openDatabase(io: MigrateCommandIo): Promise<OpenedDatabase> {
  const setting = (name: string) => io.env[name]?.trim() || undefined;
  const provider = (setting('DATABASE_PROVIDER') ?? 'sqlite').toLowerCase();
  if (provider === 'sqlite') {
    const path = setting('SQLITE_PATH') ?? DEFAULT_SQLITE_PATH;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    return {
      driver: new SqliteMigrationDriver(db),
      description: `sqlite ${path}`,
      close: async () => void db.close(),
    };
  }
  if (provider === 'postgres' || provider === 'supabase') {
    const url = setting('DATABASE_URL');
    if (!url) throw new Error(`DATABASE_PROVIDER=${provider} needs DATABASE_URL`);
    if (!/^postgres(ql)?:\/\//i.test(url)) {
      throw new Error('DATABASE_URL must start with postgresql:// or postgres://');
    }
    const { hostname, port } = new URL(url);
    const pool = new Pool({ connectionString: url, max: 1 });
    // An idle client's error (server restart) would otherwise crash the process.
    pool.on('error', () => undefined);
    return {
      // The lock is transaction-scoped, so this works through a transaction pooler too; the
      // wait for another runner's lock is reported on stderr.
      driver: new PostgresMigrationDriver(pool, { log: io.stderr }),
      // Host and port only: the URL may carry a password.
      description: `postgres ${hostname}${port ? `:${port}` : ''}`,
      close: () => pool.end(),
    };
  }
  if (provider === 'pglite') {
    const path = setting('PGLITE_PATH') ?? 'memory://';
    // Loaded here: the PGlite adapter imports the migration runner, and PGlite is optional.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { PGliteAdapter, pgliteMigrationPool } = require('../adapters/pglite') as typeof Pglite;
    const adapter = await PGliteAdapter.open({ path, migrate: false });
    return {
      driver: new PostgresMigrationDriver(pgliteMigrationPool(adapter.db), { log: io.stderr }),
      description: `pglite ${path}`,
      close: () => adapter.close(),
    };
  }
  throw new Error(`DATABASE_PROVIDER=${provider} is not one of sqlite, postgres, supabase, pglite`);
}

function summary(results: readonly MigrationResult[], verb: string, none: string): string {
  if (results.length === 0) return none;
  return `${verb} ${results.length} migration${results.length === 1 ? '' : 's'}.`;
}

function messageOf(error: unknown): string {
  // Duck-typed: errors from native modules or other realms may not be instances of this Error.
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
