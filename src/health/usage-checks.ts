import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import { hasCacheStats, hasPoolStats } from '../metrics/database-stats.interface';
import type {
  DatabaseHealthReport,
  DatabaseHealthSummary,
  HealthCheckOutcome,
} from './database-health.interface';
import { HEALTH_MESSAGES, HEALTH_REASONS } from './health.messages';

/** Two decimals: a ratio for people, not a measurement. */
function ratio(part: number, whole: number): number {
  return Math.round((part / whole) * 100) / 100;
}

/**
 * The pool check, from the adapter's optional `poolStats()`: `warn` while callers wait for a
 * connection (the application asks more of the database than the pool gives), else `pass` with
 * the saturation; `skip` for a provider without a pool. Synchronous: it reads counters only.
 */
export function checkPool(adapter: IDatabaseAdapter): HealthCheckOutcome {
  if (!hasPoolStats(adapter)) {
    const message = HEALTH_MESSAGES.poolNotReported;
    return { status: 'skip', message, reason: HEALTH_REASONS.notReported };
  }
  const pool = adapter.poolStats();
  const details = { ...pool, saturation: ratio(pool.total - pool.idle, Math.max(pool.max, 1)) };
  if (pool.waiting > 0) {
    const message = HEALTH_MESSAGES.poolSaturated;
    return { status: 'warn', message, reason: HEALTH_REASONS.poolSaturated, details };
  }
  return { status: 'pass', message: HEALTH_MESSAGES.poolOk, details };
}

/** The cache check, from the adapter's optional `cacheStats()` (or the source given). */
export function checkCache(
  adapter: IDatabaseAdapter,
  source: { cacheStats(): { hits: number; misses: number } } | undefined = hasCacheStats(adapter)
    ? adapter
    : undefined,
): HealthCheckOutcome {
  if (!source) {
    const message = HEALTH_MESSAGES.cacheNotReported;
    return { status: 'skip', message, reason: HEALTH_REASONS.notReported };
  }
  const { hits, misses } = source.cacheStats();
  const lookups = hits + misses;
  const hitRate = lookups === 0 ? null : ratio(hits, lookups);
  return { status: 'pass', message: HEALTH_MESSAGES.cacheOk, details: { hits, misses, hitRate } };
}

/** A number from a check's details, when it is there. */
function figure(outcome: HealthCheckOutcome, key: string): number | undefined {
  const value = outcome.details?.[key];
  return typeof value === 'number' ? value : undefined;
}

/**
 * The report cut down to what may be served without authentication: each check's status,
 * message and reason, the pool saturation, the cache hit rate and the migration counts. Paths,
 * hosts, disk figures, error messages, the fallback's reason and schema lines stay out.
 */
export function summarizeReport(report: DatabaseHealthReport): DatabaseHealthSummary {
  const checks = Object.fromEntries(
    Object.entries(report.checks).map(([name, { status, message, reason }]) => [
      name,
      reason === undefined ? { status, message } : { status, message, reason },
    ]),
  ) as DatabaseHealthSummary['checks'];
  const summary: DatabaseHealthSummary = {
    status: report.status,
    provider: report.provider,
    configuredProvider: report.configuredProvider,
    fallbackActive: report.fallbackActive,
    checks,
    latencyMs: report.latencyMs,
    timestamp: report.timestamp,
  };
  if (report.fallbackActive && report.fallbackReason) {
    // `unreachable: <the probe's message>`: the message may name a host, the reason does not.
    summary.fallbackReason = report.fallbackReason.split(':')[0];
  }
  const saturation = figure(report.checks.pool, 'saturation');
  if (saturation !== undefined) summary.poolSaturation = saturation;
  const hitRate = figure(report.checks.cache, 'hitRate');
  if (hitRate !== undefined) summary.cacheHitRate = hitRate;
  const pending = figure(report.checks.migrations, 'pending');
  const drift = report.checks.migrations.details?.drift;
  if (pending !== undefined) {
    summary.migrations = { pending, drift: Array.isArray(drift) ? drift.length : 0 };
  }
  return summary;
}
