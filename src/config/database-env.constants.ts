/** The environment variables the library reads, by role. */
export const DATABASE_ENV = {
  provider: 'DATABASE_PROVIDER',
  supabaseUrl: 'SUPABASE_URL',
  supabaseAnonKey: 'SUPABASE_ANON_KEY',
  supabaseServiceKey: 'SUPABASE_SERVICE_KEY',
  sqlitePath: 'SQLITE_PATH',
  sqliteSynchronous: 'SQLITE_SYNCHRONOUS',
  databaseUrl: 'DATABASE_URL',
  poolMax: 'DATABASE_POOL_MAX',
  fallback: 'DATABASE_FALLBACK',
  probeTimeoutMs: 'DATABASE_PROBE_TIMEOUT_MS',
  probeRetries: 'DATABASE_PROBE_RETRIES',
  migrate: 'DATABASE_MIGRATE',
  maxPageSize: 'DATABASE_MAX_PAGE_SIZE',
  slowQueryMs: 'DATABASE_SLOW_QUERY_MS',
  healthLatencyMs: 'DATABASE_HEALTH_LATENCY_MS',
  logQueries: 'DATABASE_LOG_QUERIES',
  nodeEnv: 'NODE_ENV',
} as const;

/** The defaults of every setting, in one place. */
export const DATABASE_DEFAULTS = {
  provider: 'supabase',
  sqlitePath: './data/database.sqlite',
  sqliteSynchronous: 'NORMAL',
  poolMax: 10,
  probeTimeoutMs: 3000,
  probeRetries: 2,
  probeBackoffMs: 200,
  migrate: true,
  maxPageSize: 100,
  healthLatencyThresholdMs: 1000,
  healthCheckTimeoutMs: 5000,
  minFreeDiskBytes: 100 * 1024 * 1024,
  slowQueryThresholdMs: 500,
  reservoirSize: 1024,
  prometheusPrefix: 'db_',
} as const;
