/** The texts health checks report, kept in one place so callers can match on them. */
export const HEALTH_MESSAGES = {
  connectionOk: 'The database answered a ping',
  connectionFailed: 'The database did not answer a ping',
  connectionTimeout: 'The ping did not finish in time',
  performanceOk: 'Ping latency is under the threshold',
  performanceSlow: 'Ping latency is above the threshold',
  performanceSkipped: 'Not measured: the connection check failed',
  storageOk: 'Storage figures are within limits',
  storageLowDisk: 'Free disk space is below the minimum',
  storageFailed: 'Storage figures could not be read',
  storageTimeout: 'Storage figures did not arrive in time',
  storageNotReported: 'This provider does not report storage figures',
  fallbackActive: 'Running on the SQLite fallback because the configured provider was unreachable',
  migrationsOk: 'Every migration was applied and the schema matched the table definitions at boot',
  migrationsPending: 'Some migrations were not applied at boot',
  migrationsDrift: 'The schema differed from the table definitions at boot',
  migrationsFailed: 'The schema could not be read at boot',
  migrationsNotChecked: 'Not checked: this provider offers no direct SQL to read the schema with',
  poolOk: 'Connections are free',
  poolSaturated: 'Callers are waiting for a connection',
  poolNotReported: 'This provider has no connection pool',
  cacheOk: 'The result cache reports its hit rate',
  cacheNotReported: 'No result cache is configured',
} as const;

/** Machine-readable reasons a check did not pass. */
export const HEALTH_REASONS = {
  timeout: 'timeout',
  error: 'error',
  slow: 'slow',
  lowDisk: 'low-disk',
  notReported: 'not-reported',
  dependencyFailed: 'dependency-failed',
  pendingMigrations: 'pending-migrations',
  schemaDrift: 'schema-drift',
  notChecked: 'not-checked',
  poolSaturated: 'pool-saturated',
} as const;
