import type { QueryObserver } from '../query-observer';
import type { QueryLimits } from '../../query/plan-query';

/** How the SQLite adapter opens and uses its database file. */
export interface SQLiteAdapterOptions {
  /** The database file, created with its directory when missing; `:memory:` works. Default is `./data/database.sqlite`. */
  path?: string;
  /**
   * `PRAGMA synchronous`. NORMAL (with WAL) survives a process crash but may lose the last commits
   * on power loss; FULL survives both and costs an fsync per commit. Default is `NORMAL`.
   */
  synchronous?: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
  /** How long a statement waits for another process's lock before SQLITE_BUSY. Default is 5000 ms. */
  busyTimeoutMs?: number;
  /**
   * How long a transaction (`transaction(work)` or `beginTransaction()`) may stay open before it
   * is rolled back and its later statements refused, so neither a forgotten commit nor a callback
   * that never settles can hold the single connection forever. Default is 30000 ms.
   */
  transactionTimeoutMs?: number;
  /** Page size and IN list limits. Default is {@link DEFAULT_QUERY_LIMITS}. */
  limits?: Partial<QueryLimits>;
  /** Run pending migrations when opened with `SQLiteAdapter.open`. Default is `true`. */
  migrate?: boolean;
  /** Where the SQLite migrations are. Default is the package's `migrations/sqlite`. */
  migrationsDirectory?: string;
  /**
   * The application's migration folders (each with `sqlite/` and `postgres/` subfolders), applied
   * with the library's, merged by version. Default is none.
   */
  appMigrationsDirectories?: readonly string[];
  /** Receives a line per migration `open` applies (the module logs them at boot). Default discards them. */
  migrationLog?: (line: string) => void;
  /** Receives an event after every operation (metrics, query logging). Default is none. */
  observer?: QueryObserver;
}
