import type { DatabaseHealthReport, DatabaseHealthStatus } from './database-health.interface';

/**
 * Decides the overall status from the checks: a failed connection is `unhealthy`; any other
 * warning or failure (slow, low disk, pending migrations, schema drift), or running on the
 * fallback, is `degraded`; otherwise `healthy`.
 */
export function summarizeHealth(
  checks: Omit<DatabaseHealthReport['checks'], 'migrations'> &
    Partial<Pick<DatabaseHealthReport['checks'], 'migrations'>>,
  fallbackActive: boolean,
): DatabaseHealthStatus {
  if (checks.connection.status === 'fail') return 'unhealthy';
  // Migrations are optional here so reports assembled by hand (older callers, tests) still sum up.
  const others = [
    checks.performance,
    checks.storage,
    ...(checks.migrations ? [checks.migrations] : []),
  ];
  if (fallbackActive || others.some((c) => c.status === 'warn' || c.status === 'fail')) {
    return 'degraded';
  }
  return 'healthy';
}
