/** Storage figures an adapter reports; a figure it cannot know is absent. */
export interface StorageStats {
  /** The size of the database (SQLite: the main file; PostgreSQL: `pg_database_size`). */
  databaseBytes?: number;
  /** The size of SQLite's write-ahead log, when there is one. */
  walBytes?: number;
  /** Free disk space where the database lives, for the process's user. */
  freeDiskBytes?: number;
  /** The database file, for file-based providers; lets the health check read the disk itself. */
  path?: string;
}

/**
 * An optional adapter method: storage figures for the health check and metrics. Adapters MAY
 * implement it; {@link DatabaseHealthService} detects it at run time. Without it, a SQLite
 * database's file is measured from the configured path, and other providers skip the check.
 */
export interface StorageStatsProvider {
  storageStats(): Promise<StorageStats>;
}

/** Tells whether an adapter reports storage figures. */
export function hasStorageStats(adapter: object): adapter is StorageStatsProvider {
  return typeof (adapter as Partial<StorageStatsProvider>).storageStats === 'function';
}
