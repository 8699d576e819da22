import type { DatabaseHealthReport, DatabaseHealthStatus } from './database-health.interface';

/**
 * Decides the overall status from the checks: a failed connection is `unhealthy`; any other
 * warning or failure (slow, low disk, pending migrations, schema drift, callers waiting for a
 * pooled connection), or running on the fallback, is `degraded`; otherwise `healthy`.
 */
export function summarizeHealth(
  checks: Pick<DatabaseHealthReport['checks'], 'connection' | 'performance' | 'storage'> &
    Partial<DatabaseHealthReport['checks']>,
  fallbackActive: boolean,
): DatabaseHealthStatus {
  if (checks.connection.status === 'fail') return 'unhealthy';
  // Later checks are optional here so reports assembled by hand (older callers, tests) still sum up.
  const others = [
    checks.performance,
    checks.storage,
    checks.migrations,
    checks.pool,
    checks.cache,
  ].filter((check) => check !== undefined);
  if (fallbackActive || others.some((c) => c.status === 'warn' || c.status === 'fail')) {
    return 'degraded';
  }
  return 'healthy';
}
