import type { DatabaseProvider } from '../adapters/database-adapter.interface';

/** The overall state: `degraded` still serves requests (slow, low disk, or on the fallback). */
export type DatabaseHealthStatus = 'healthy' | 'degraded' | 'unhealthy';

/** One check's outcome: `warn` degrades, `fail` of the connection makes the database unhealthy. */
export interface HealthCheckOutcome {
  status: 'pass' | 'warn' | 'fail' | 'skip';
  /** One of HEALTH_MESSAGES. */
  message: string;
  /** Why it did not pass, one of HEALTH_REASONS; absent when it passed. */
  reason?: string;
  /** The exception class and code behind a failure, when there was one. */
  error?: { name: string; code?: string; message: string };
  latencyMs?: number;
  details?: Record<string, unknown>;
}

/** What {@link DatabaseHealthService.checkHealth} returns. */
export interface DatabaseHealthReport {
  status: DatabaseHealthStatus;
  /** The provider in use (after any fallback). */
  provider: DatabaseProvider;
  /** Whether the configured provider was unreachable at boot and SQLite took over. */
  fallbackActive: boolean;
  /** Why the fallback happened, when it did. */
  fallbackReason?: string;
  checks: {
    connection: HealthCheckOutcome;
    performance: HealthCheckOutcome;
    storage: HealthCheckOutcome;
    /**
     * Pending migrations and schema drift, found once at boot (the check reads the catalog, too
     * much for every health call): `details` holds `pending`, `drift` and `warnings`.
     */
    migrations: HealthCheckOutcome;
  };
  /** The ping round trip, or the time until it failed, in milliseconds. */
  latencyMs: number;
  /** When the checks ran, ISO-8601. */
  timestamp: string;
}

/** A Terminus-shaped indicator result: `{ [key]: { status: 'up' | 'down', ...details } }`. */
export type DatabaseHealthIndicatorResult = Record<
  string,
  { status: 'up' | 'down'; [detail: string]: unknown }
>;
