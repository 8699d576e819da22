import type { DatabaseProvider, IDatabaseAdapter } from '../adapters/database-adapter.interface';
import type { HealthCheckOutcome } from '../health/database-health.interface';

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
  /**
   * What the boot found of pending migrations and schema drift, for the health check; absent
   * for a connection built by hand (the health check then reports it not checked).
   */
  migrations?: HealthCheckOutcome;
}
