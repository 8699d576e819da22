import { resolve as resolvePath } from 'node:path';
import type { DatabaseProvider } from '../adapters/database-adapter.interface';
import { POOLER_MODES, type PoolerMode } from '../adapters/postgres/postgres-adapter.options';
import { DatabaseConfigurationException } from './database-configuration.exception';
import { DATABASE_PROVIDERS } from './database-providers';
import { resolveCacheConfig } from '../cache/cache-module-options';
import { DATABASE_DEFAULTS, DATABASE_ENV } from './database-env.constants';
import { type Env, SettingReader } from './setting-reader';
import type {
  DatabaseFallback,
  DatabaseModuleOptions,
  ResolvedDatabaseConfig,
  SqliteSynchronous,
} from './database-options.interface';

const FALLBACKS: readonly DatabaseFallback[] = ['sqlite', 'none'];
const SYNCHRONOUS_MODES: readonly SqliteSynchronous[] = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

/**
 * The app's migration folders, absolute (relative ones against the working directory, where the
 * CLI resolves them too), and its tables. The option wins over DATABASE_MIGRATIONS_DIRS.
 */
function resolveMigrations(
  options: DatabaseModuleOptions,
  read: SettingReader,
): ResolvedDatabaseConfig['migrations'] {
  const given = options.migrations?.directories;
  const fromEnv = read.envValue(DATABASE_ENV.migrationsDirs);
  const listed = given ?? (fromEnv ? fromEnv.split(',') : []);
  const directories: string[] = [];
  for (const entry of listed) {
    if (typeof entry !== 'string' || entry.trim() === '') {
      read.problems.push('migrations.directories must list non-empty folder paths');
      continue;
    }
    directories.push(resolvePath(entry.trim()));
  }
  return {
    directories: Object.freeze(directories),
    tables: Object.freeze([...(options.migrations?.tables ?? [])]),
  };
}

/**
 * Turns module options and the environment into a complete configuration, or throws one
 * {@link DatabaseConfigurationException} naming every problem. Options win over the environment;
 * an unset value takes its default. A plain function: no Nest, no I/O.
 *
 * @example
 * resolveDatabaseConfig({ env: { DATABASE_PROVIDER: 'sqlite', SQLITE_PATH: '/tmp/app.db' } });
 */
export function resolveDatabaseConfig(options: DatabaseModuleOptions = {}): ResolvedDatabaseConfig {
  const env: Env = options.env ?? process.env;
  const read = new SettingReader(env);
  const problems = read.problems;

  const production = read.envValue(DATABASE_ENV.nodeEnv) === 'production';
  const provider = read.choice<DatabaseProvider>(
    options.provider,
    DATABASE_ENV.provider,
    DATABASE_PROVIDERS,
    DATABASE_DEFAULTS.provider,
    (raw) => raw.toLowerCase(),
  );
  const providerLabel = `${DATABASE_ENV.provider}=${provider}`;
  // With an unknown provider, the settings it would need are unknowable: report only the provider.
  const providerValid = problems.length === 0;

  let supabase: ResolvedDatabaseConfig['supabase'] = null;
  if (provider === 'supabase' && providerValid) {
    const url = read.text(options.supabase?.url, DATABASE_ENV.supabaseUrl);
    const serviceKey = read.text(options.supabase?.serviceKey, DATABASE_ENV.supabaseServiceKey);
    const anonKey = read.text(options.supabase?.anonKey, DATABASE_ENV.supabaseAnonKey);
    if (url === undefined) problems.push(`${providerLabel} needs ${DATABASE_ENV.supabaseUrl}`);
    else if (!isHttpUrl(url)) {
      problems.push(`${DATABASE_ENV.supabaseUrl} must be an http(s) URL`);
    }
    if (serviceKey === undefined && anonKey === undefined) {
      problems.push(
        `${providerLabel} needs ${DATABASE_ENV.supabaseAnonKey} or ${DATABASE_ENV.supabaseServiceKey}`,
      );
    }
    supabase = {
      url: url ?? '',
      anonKey,
      serviceKey,
      key: serviceKey ?? anonKey ?? '',
      fetch: options.supabase?.fetch,
    };
  }

  let postgres: ResolvedDatabaseConfig['postgres'] = null;
  if (provider === 'postgres' && providerValid) {
    const connectionString = read.text(
      options.postgres?.connectionString,
      DATABASE_ENV.databaseUrl,
    );
    if (connectionString === undefined) {
      problems.push(`${providerLabel} needs ${DATABASE_ENV.databaseUrl}`);
    } else if (!isPostgresUrl(connectionString)) {
      // Only the scheme is named: the URL may hold a password.
      problems.push(`${DATABASE_ENV.databaseUrl} must start with postgresql:// or postgres://`);
    }
    postgres = {
      connectionString: connectionString ?? '',
      poolMax: read.integer(
        options.postgres?.poolMax,
        DATABASE_ENV.poolMax,
        DATABASE_DEFAULTS.poolMax,
        1,
      ),
      pooler: read.choice<PoolerMode>(
        options.postgres?.pooler,
        DATABASE_ENV.pooler,
        POOLER_MODES,
        DATABASE_DEFAULTS.pooler,
        (raw) => raw.toLowerCase(),
      ),
      connectWaitMs: read.millis(
        options.postgres?.connectWaitMs,
        DATABASE_ENV.connectWaitMs,
        DATABASE_DEFAULTS.connectWaitMs,
        0,
      ),
      migrationLockTimeoutMs: read.millis(
        options.postgres?.migrationLockTimeoutMs,
        DATABASE_ENV.migrationLockTimeoutMs,
        DATABASE_DEFAULTS.migrationLockTimeoutMs,
        0,
      ),
    };
  }

  const pglite = {
    path: read.text(options.pglite?.path, DATABASE_ENV.pglitePath) ?? DATABASE_DEFAULTS.pglitePath,
  };

  const sqlite = {
    path: read.text(options.sqlite?.path, DATABASE_ENV.sqlitePath) ?? DATABASE_DEFAULTS.sqlitePath,
    synchronous: read.choice<SqliteSynchronous>(
      options.sqlite?.synchronous,
      DATABASE_ENV.sqliteSynchronous,
      SYNCHRONOUS_MODES,
      DATABASE_DEFAULTS.sqliteSynchronous,
      (raw) => raw.toUpperCase(),
    ),
  };

  // Outside production a missing Supabase should not stop a developer; in production a silent
  // switch to a local file would lose data, so it must be asked for.
  const fallback = read.choice<DatabaseFallback>(
    options.fallback,
    DATABASE_ENV.fallback,
    FALLBACKS,
    production ? 'none' : 'sqlite',
    (raw) => raw.toLowerCase(),
  );

  const probe = {
    timeoutMs: read.millis(
      options.probe?.timeoutMs,
      DATABASE_ENV.probeTimeoutMs,
      DATABASE_DEFAULTS.probeTimeoutMs,
      1,
    ),
    retries: read.integer(
      options.probe?.retries,
      DATABASE_ENV.probeRetries,
      DATABASE_DEFAULTS.probeRetries,
      0,
    ),
    backoffMs: read.millis(
      options.probe?.backoffMs,
      'probe.backoffMs',
      DATABASE_DEFAULTS.probeBackoffMs,
      0,
    ),
  };

  const health = {
    latencyThresholdMs: read.millis(
      options.health?.latencyThresholdMs,
      DATABASE_ENV.healthLatencyMs,
      DATABASE_DEFAULTS.healthLatencyThresholdMs,
      1,
    ),
    checkTimeoutMs: read.millis(
      options.health?.checkTimeoutMs,
      'health.checkTimeoutMs',
      DATABASE_DEFAULTS.healthCheckTimeoutMs,
      1,
    ),
    minFreeDiskBytes: read.integer(
      options.health?.minFreeDiskBytes,
      'health.minFreeDiskBytes',
      DATABASE_DEFAULTS.minFreeDiskBytes,
      0,
    ),
  };

  const metrics = {
    slowQueryThresholdMs: read.millis(
      options.metrics?.slowQueryThresholdMs,
      DATABASE_ENV.slowQueryMs,
      DATABASE_DEFAULTS.slowQueryThresholdMs,
      0,
    ),
    reservoirSize: read.integer(
      options.metrics?.reservoirSize,
      'metrics.reservoirSize',
      DATABASE_DEFAULTS.reservoirSize,
      1,
    ),
    prometheus: options.metrics?.prometheus ?? true,
    prometheusPrefix: options.metrics?.prometheusPrefix ?? DATABASE_DEFAULTS.prometheusPrefix,
  };

  const resilienceOn =
    options.resilience !== false &&
    read.flag(undefined, DATABASE_ENV.resilience, DATABASE_DEFAULTS.resilience);
  const resilienceOptions = options.resilience || {};
  const breakerOptions = resilienceOptions.circuitBreaker;
  const resilience = resilienceOn
    ? {
        ...resilienceOptions,
        retry: {
          ...resilienceOptions.retry,
          connectionAttempts: read.integer(
            resilienceOptions.retry?.connectionAttempts,
            DATABASE_ENV.retryAttempts,
            DATABASE_DEFAULTS.retryAttempts,
            1,
          ),
        },
        circuitBreaker:
          breakerOptions === false
            ? (false as const)
            : {
                ...breakerOptions,
                failureThreshold: read.integer(
                  breakerOptions?.failureThreshold,
                  DATABASE_ENV.circuitThreshold,
                  DATABASE_DEFAULTS.circuitThreshold,
                  1,
                ),
                cooldownMs: read.millis(
                  breakerOptions?.cooldownMs,
                  DATABASE_ENV.circuitCooldownMs,
                  DATABASE_DEFAULTS.circuitCooldownMs,
                  0,
                ),
              },
      }
    : null;

  const config: ResolvedDatabaseConfig = {
    provider,
    production,
    supabase,
    sqlite,
    postgres,
    pglite,
    fallback,
    probe,
    migrate: read.flag(options.migrate, DATABASE_ENV.migrate, DATABASE_DEFAULTS.migrate),
    migrations: resolveMigrations(options, read),
    maxPageSize: read.integer(
      options.maxPageSize,
      DATABASE_ENV.maxPageSize,
      DATABASE_DEFAULTS.maxPageSize,
      1,
    ),
    transactionTimeoutMs: read.millis(
      options.transactionTimeoutMs,
      DATABASE_ENV.transactionTimeoutMs,
      DATABASE_DEFAULTS.transactionTimeoutMs,
      1,
    ),
    health,
    metrics,
    // Statement logging prints parameters; never in production, whatever the setting says.
    logQueries: !production && read.flag(options.logQueries, DATABASE_ENV.logQueries, false),
    resilience,
    tracing: resolveTracing(options, read),
    cache: resolveCacheConfig(options.cache, read),
  };

  if (problems.length > 0) throw new DatabaseConfigurationException(problems);
  return config;
}

/** Tracing on (on the given or the global provider) unless turned off by option or environment. */
function resolveTracing(
  options: DatabaseModuleOptions,
  read: SettingReader,
): ResolvedDatabaseConfig['tracing'] {
  const given = options.tracing;
  if (typeof given === 'object' && given !== null) return { tracerProvider: given.tracerProvider };
  const on = read.flag(given, DATABASE_ENV.tracing, DATABASE_DEFAULTS.tracing);
  return on ? {} : null;
}
