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

/** What {@link DatabaseHealthService.checkHealth} returns: every figure; serve it to operators only. */
export interface DatabaseHealthReport {
  status: DatabaseHealthStatus;
  /** The provider in use (after any fallback). */
  provider: DatabaseProvider;
  /** The provider the configuration asked for. */
  configuredProvider: DatabaseProvider;
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
    /**
     * Connection pool usage: `details` holds `total`, `idle`, `waiting`, `max` and `saturation`
     * (connections in use over the maximum, 0 to 1). `warn` (`pool-saturated`) while callers wait
     * for a connection; `skip` for a provider without a pool (Supabase).
     */
    pool: HealthCheckOutcome;
    /**
     * The result cache: `details` holds `hits`, `misses` and `hitRate` (null before any cached
     * read). `skip` without a cache; never `warn` (a cold cache is not a fault).
     */
    cache: HealthCheckOutcome;
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

/** One check in the {@link DatabaseHealthSummary}: its verdict, never its details. */
export interface HealthCheckSummary {
  status: HealthCheckOutcome['status'];
  message: string;
  reason?: string;
}

/**
 * What {@link DatabaseHealthService.checkHealthSummary} returns: safe to serve without
 * authentication. It says how the database is and why, with ratios and counts, but no path,
 * host, disk figure, error message or schema line (those are in the full report's `details`).
 */
export interface DatabaseHealthSummary {
  status: DatabaseHealthStatus;
  provider: DatabaseProvider;
  configuredProvider: DatabaseProvider;
  fallbackActive: boolean;
  /** Why the fallback happened, as the probe's reason only (`unreachable`, `timeout`, …). */
  fallbackReason?: string;
  checks: Record<keyof DatabaseHealthReport['checks'], HealthCheckSummary>;
  /** Connections in use over the pool's maximum, 0 to 1; absent without a pool. */
  poolSaturation?: number;
  /** Cached reads answered from the cache, 0 to 1; absent without a cache or before any read. */
  cacheHitRate?: number;
  /** Migrations not applied and schema differences, as found at boot; absent when not checked. */
  migrations?: { pending: number; drift: number };
  latencyMs: number;
  timestamp: string;
}
