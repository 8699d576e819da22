import type * as PgliteModule from '@electric-sql/pglite';
import type { Extension, PGlite } from '@electric-sql/pglite';
import { DatabaseConfigurationException } from '../../config/database-configuration.exception';
import { PostgresMigrationDriver } from '../../migrations/drivers/postgres-migration.driver';
import { MigrationRunner } from '../../migrations/migration-runner';
import type { PoolStats } from '../../metrics/database-stats.interface';
import type { AdapterCapabilities } from '../database-adapter.interface';
import { SqlAdapter } from '../sql/sql.adapter';
import type { PGliteAdapterOptions } from './pglite-adapter.options';
import { PGLITE_PARSERS } from './pglite.dialect';
import { PgliteDriver } from './pglite.driver';
import { mapPgliteError } from './pglite-error.mapper';
import { pgliteMigrationPool } from './pglite-migration.pool';

const CAPABILITIES: AdapterCapabilities = Object.freeze({
  transactions: true,
  savepoints: true,
  migrations: true,
  // One connection, like SQLite: transactions queue behind the shared lock.
  concurrentTransactions: false,
  aggregates: true,
  atomicUpsertMany: true,
  rawSql: true,
});

/**
 * The PGlite provider: PostgreSQL compiled to WebAssembly, in this process, with no server —
 * PostgreSQL's semantics (its SQL, its migrations, row-level security, pg_trgm) for tests, CI and
 * local development of applications that deploy on Supabase or PostgreSQL. The shared SQL adapter
 * with PGlite's driver; `@electric-sql/pglite` is an optional dependency, loaded on first use.
 */
export class PGliteAdapter extends SqlAdapter<PGlite> {
  readonly capabilities = CAPABILITIES;
  private readonly pglite: PgliteDriver;

  private constructor(
    /** The PGlite instance, for what the contract does not cover. */
    readonly db: PGlite,
    options: PGliteAdapterOptions,
  ) {
    const driver = new PgliteDriver(db);
    super(driver, options);
    this.pglite = driver;
  }

  /** Starts PGlite (in memory, or in `path`) and, unless `migrate: false`, applies migrations. */
  static async open(options: PGliteAdapterOptions = {}): Promise<PGliteAdapter> {
    const db = await startPglite(options);
    const adapter = new PGliteAdapter(db, options);
    if (options.migrate ?? true) {
      try {
        const driver = new PostgresMigrationDriver(pgliteMigrationPool(db));
        await new MigrationRunner(driver, {
          directory: options.migrationsDirectory,
          appDirectories: options.appMigrationsDirectories,
          log: options.migrationLog,
        }).up();
      } catch (error) {
        await adapter.close();
        throw mapPgliteError(error);
      }
    }
    return adapter;
  }

  /** The database's size, for the health service's storage check. */
  async storageStats(): Promise<{ databaseBytes: number }> {
    const text = 'SELECT pg_database_size(current_database())::float8';
    const { rows } = await this.engine.run('storageStats', undefined, { text, values: [] });
    return { databaseBytes: Number(rows[0][0]) };
  }

  /** The one connection as a pool of one (busy while a transaction holds it), for metrics. */
  poolStats(): PoolStats {
    return this.pglite.connections.usage();
  }
}

/** Loads PGlite with the pg_trgm extension the search indexes need, and waits until it is up. */
async function startPglite({ path, loadDataDir }: PGliteAdapterOptions): Promise<PGlite> {
  let modules: [typeof PgliteModule, { pg_trgm: Extension }];
  try {
    // Loaded here, not imported: applications on other providers need not install PGlite.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    modules = [require('@electric-sql/pglite'), require('@electric-sql/pglite/contrib/pg_trgm')];
  } catch (error) {
    throw new DatabaseConfigurationException(
      [
        'The pglite provider needs the @electric-sql/pglite package: npm install @electric-sql/pglite',
      ],
      { cause: error },
    );
  }
  const [{ PGlite }, { pg_trgm }] = modules;
  // One options object: PGlite 0.5 ignores `parsers` when the data directory comes first.
  const db = new PGlite({
    ...(path && path !== 'memory://' ? { dataDir: path } : {}),
    ...(loadDataDir ? { loadDataDir } : {}),
    extensions: { pg_trgm },
    parsers: PGLITE_PARSERS,
  });
  try {
    await db.waitReady;
  } catch (error) {
    throw mapPgliteError(error);
  }
  return db;
}
