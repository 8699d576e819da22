import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import { MigrationRunner, SqliteMigrationDriver } from '../../migrations';
import type { PoolStats } from '../../metrics/database-stats.interface';
import type { AdapterCapabilities } from '../database-adapter.interface';
import { SqlAdapter } from '../sql/sql.adapter';
import type { SQLiteAdapterOptions } from './sqlite-adapter.options';
import { SqliteDriver } from './sqlite.driver';

export { DEFAULT_SQLITE_PATH } from './sqlite.driver';

/** Size figures for health checks. */
export interface SQLiteStorageStats {
  path: string;
  databaseBytes: number;
  walBytes: number;
  /** Free bytes on the file's disk; undefined for `:memory:`. */
  freeDiskBytes?: number;
}

const CAPABILITIES: AdapterCapabilities = Object.freeze({
  transactions: true,
  savepoints: true,
  migrations: true,
  concurrentTransactions: false,
  aggregates: true,
  atomicUpsertMany: true,
  rawSql: true,
});

/**
 * The SQLite provider, on better-sqlite3: the shared SQL adapter with SQLite's driver.
 *
 * better-sqlite3 is synchronous and has one connection, so transactions hold a lock: while one is
 * open, statements from other async flows wait for it instead of running inside it (see
 * docs/transactions.md). Statements are prepared once per shape and reused.
 */
export class SQLiteAdapter extends SqlAdapter<Database.Database> {
  readonly capabilities = CAPABILITIES;
  /** The resolved database path, or `:memory:`. */
  readonly path: string;
  private readonly sqlite: SqliteDriver;

  constructor(private readonly options: SQLiteAdapterOptions = {}) {
    const driver = new SqliteDriver(options);
    super(driver, options);
    this.sqlite = driver;
    this.path = driver.path;
  }

  /** Opens the database and, unless `migrate: false`, applies pending migrations. */
  static async open(options: SQLiteAdapterOptions = {}): Promise<SQLiteAdapter> {
    const adapter = new SQLiteAdapter(options);
    if (options.migrate ?? true) {
      try {
        await adapter.migrate();
      } catch (error) {
        await adapter.close();
        throw error;
      }
    }
    return adapter;
  }

  /**
   * The better-sqlite3 connection, for what the contract does not cover. Statements run on it
   * bypass the transaction lock.
   */
  get connection(): Database.Database {
    return this.sqlite.db;
  }

  /** Applies pending migrations from `migrationsDirectory`, holding the connection meanwhile. */
  async migrate(): Promise<void> {
    const { lock } = this.sqlite.connections;
    await lock.acquire();
    try {
      const { migrationsDirectory, appMigrationsDirectories } = this.options;
      await new MigrationRunner(new SqliteMigrationDriver(this.sqlite.db), {
        directory: migrationsDirectory,
        appDirectories: appMigrationsDirectories,
        log: this.options.migrationLog,
      }).up();
      // A migration may have added or dropped a search index.
      this.sqlite.forgetSearchIndexes();
      this.engine.forgetPlans();
    } finally {
      lock.release();
    }
  }

  /** The one connection as a pool of one (busy while a transaction holds it), for metrics. */
  poolStats(): PoolStats {
    return this.sqlite.connections.usage();
  }

  /** File, WAL and free-disk sizes, for the health service. */
  async storageStats(): Promise<SQLiteStorageStats> {
    const { db } = this.sqlite;
    if (this.path === ':memory:') {
      const pages = db.pragma('page_count', { simple: true }) as number;
      const size = db.pragma('page_size', { simple: true }) as number;
      return { path: this.path, databaseBytes: pages * size, walBytes: 0 };
    }
    const fileSize = (file: string) => {
      try {
        return statSync(file).size;
      } catch {
        return 0;
      }
    };
    const disk = statfsSync(dirname(this.path));
    return {
      path: this.path,
      databaseBytes: fileSize(this.path),
      walBytes: fileSize(`${this.path}-wal`),
      freeDiskBytes: disk.bavail * disk.bsize,
    };
  }

  /** Exact row counts (live and soft-deleted) of every table, for metrics. */
  async tableRowCounts(): Promise<Record<string, number>> {
    const { db } = this.sqlite;
    return this.engine.step('tableRowCounts', () => {
      const tables = db
        .prepare(
          "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .pluck()
        .all() as string[];
      // Table names come from the schema itself, and are quoted.
      return Object.fromEntries(
        tables.map((name) => [
          name,
          db
            .prepare(`SELECT COUNT(*) FROM "${name.replace(/"/g, '""')}"`)
            .pluck()
            .get() as number,
        ]),
      );
    });
  }
}
