import type { DatabaseHealthReport, DatabaseHealthStatus } from './database-health.interface';

/**
 * Decides the overall status from the checks: a failed connection is `unhealthy`; any other
 * warning or failure, or running on the fallback, is `degraded`; otherwise `healthy`.
 */
export function summarizeHealth(
  checks: DatabaseHealthReport['checks'],
  fallbackActive: boolean,
): DatabaseHealthStatus {
  if (checks.connection.status === 'fail') return 'unhealthy';
  const others = [checks.performance, checks.storage];
  if (fallbackActive || others.some((c) => c.status === 'warn' || c.status === 'fail')) {
    return 'degraded';
  }
  return 'healthy';
}
