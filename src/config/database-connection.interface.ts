import type { DatabaseProvider, IDatabaseAdapter } from '../adapters/database-adapter.interface';

/** The adapter chosen at boot and how it was chosen; injectable with `@InjectDatabaseConnection()`. */
export interface DatabaseConnection {
  adapter: IDatabaseAdapter;
  /** The provider the configuration asked for. */
  configuredProvider: DatabaseProvider;
  /** The provider in use: the configured one, or `sqlite` after a fallback. */
  provider: DatabaseProvider;
  /** Whether the configured provider was unreachable and SQLite took over. */
  fallbackActive: boolean;
  /** Why the fallback happened, e.g. `unreachable: fetch failed`; absent without fallback. */
  fallbackReason?: string;
}
