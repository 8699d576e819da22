import type { QueryLimits } from '../../query/plan-query';
import type { QueryObserver } from '../query-observer';

/** How {@link PGliteAdapter.open} opens its in-process PostgreSQL. */
export interface PGliteAdapterOptions {
  /**
   * The directory PGlite keeps its database in, created when missing; `memory://` (or unset)
   * keeps it in memory for the life of the adapter. Default is in memory.
   */
  path?: string;
  /**
   * Start from a dump made by PGlite's `dumpDataDir()` (a migrated template, say, so each test
   * database starts in a second instead of running initdb and every migration). Default is none.
   */
  loadDataDir?: Blob;
  /** Apply pending migrations (the PostgreSQL ones) when opening. Default is `true`. */
  migrate?: boolean;
  /** Where the PostgreSQL migration files are. Default is the package's `migrations/postgres`. */
  migrationsDirectory?: string;
  /**
   * The application's migration folders (each with `sqlite/` and `postgres/` subfolders), applied
   * with the library's, merged by version. Default is none.
   */
  appMigrationsDirectories?: readonly string[];
  /** Receives a line per migration `open` applies (the module logs them at boot). Default discards them. */
  migrationLog?: (line: string) => void;
  /** Page size and IN-list limits. Default is {@link DEFAULT_QUERY_LIMITS}. */
  limits?: Partial<QueryLimits>;
  /** Receives an event after every operation (metrics, query logs). Default is none. */
  observer?: QueryObserver;
  /**
   * How long a transaction may stay open before it is rolled back and its later statements
   * refused, in milliseconds. Default is 30000.
   */
  transactionTimeoutMs?: number;
}
