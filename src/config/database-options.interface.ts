import type { ResilienceOptions } from '../resilience/resilient.adapter';
import type { TracerProvider } from '@opentelemetry/api';
import type { CacheModuleOptions, ResolvedCacheConfig } from '../cache/cache-module-options';
import type { TableDefinition } from '../schema/table-definition';
import type { ModuleMetadata, Provider, Type } from '@nestjs/common';
import type { DatabaseProvider } from '../adapters/database-adapter.interface';
import type { PoolerMode } from '../adapters/postgres/postgres-adapter.options';

/** How SQLite syncs to disk (`PRAGMA synchronous`). */
export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

/**
 * What to do when Supabase cannot be reached at boot.
 * - `sqlite`: open the SQLite database instead, and report the fallback in logs and health.
 * - `none`: fail the boot.
 */
export type DatabaseFallback = 'sqlite' | 'none';

/** A `fetch` implementation, as Node 20 ships it. */
export type FetchFunction = typeof fetch;

/** Supabase (PostgREST) settings. */
export interface SupabaseOptions {
  /** The project URL, e.g. `https://abc.supabase.co`. Default is `SUPABASE_URL`. */
  url?: string;
  /** The anon (publishable) key. Default is `SUPABASE_ANON_KEY`. */
  anonKey?: string;
  /**
   * The service-role key; used instead of the anon key when given (it bypasses row-level
   * security, so keep it on the server). Default is `SUPABASE_SERVICE_KEY`.
   */
  serviceKey?: string;
  /** The fetch used by the client and the boot probe (tests pass a fake). Default is global `fetch`. */
  fetch?: FetchFunction;
}

/** SQLite settings, used by `provider: 'sqlite'` and by the Supabase fallback. */
export interface SqliteOptions {
  /** The database file; `:memory:` for a private in-memory database. Default is `SQLITE_PATH`, else `./data/database.sqlite`. */
  path?: string;
  /** `PRAGMA synchronous`. Default is `SQLITE_SYNCHRONOUS`, else `NORMAL` (safe with WAL). */
  synchronous?: SqliteSynchronous;
}

/** PGlite settings, used by `provider: 'pglite'` (PostgreSQL in-process, no server). */
export interface PgliteOptions {
  /** The directory PGlite keeps its database in; `memory://` keeps it in memory. Default is `PGLITE_PATH`, else `memory://`. */
  path?: string;
}

/** PostgreSQL settings. */
export interface PostgresOptions {
  /** A `postgresql://` connection string. Default is `DATABASE_URL`. */
  connectionString?: string;
  /** The most connections the pool opens. Default is `DATABASE_POOL_MAX`, else 10. */
  poolMax?: number;
  /**
   * What is between the application and the server: `none`, `session`, `transaction` or `auto`
   * (transaction for a URL on port 6543 or with `pgbouncer=true`). See docs/postgres.md.
   * Default is `DATABASE_POOLER`, else `auto`.
   */
  pooler?: PoolerMode;
  /**
   * How long boot waits for an unreachable server (retrying with backoff) before it fails with
   * a ConnectionException, in milliseconds. Default is `DATABASE_CONNECT_WAIT_MS`, else 30000.
   */
  connectWaitMs?: number;
  /**
   * How long boot waits for the migration lock held by another instance before it fails, in
   * milliseconds (`0`: no limit). Default is `DATABASE_MIGRATION_LOCK_TIMEOUT_MS`, else 300000.
   */
  migrationLockTimeoutMs?: number;
}

/** The Supabase reachability probe run at boot. */
export interface ProbeOptions {
  /** How long one attempt may take. Default is `DATABASE_PROBE_TIMEOUT_MS`, else 3000. */
  timeoutMs?: number;
  /** Further attempts after a failed one (only for unreachable or timeout). Default is `DATABASE_PROBE_RETRIES`, else 2. */
  retries?: number;
  /** The wait before the first retry; doubled for each next one. Default is 200. */
  backoffMs?: number;
}

/** Health check settings. */
export interface HealthOptions {
  /** A ping slower than this makes the performance check warn. Default is `DATABASE_HEALTH_LATENCY_MS`, else 1000. */
  latencyThresholdMs?: number;
  /** How long each check may take before it fails. Default is 5000. */
  checkTimeoutMs?: number;
  /** Free disk below this makes the storage check warn. Default is 100 MiB. */
  minFreeDiskBytes?: number;
}

/** A Prometheus registry, as prom-client defines it (kept structural so prom-client stays optional). */
export interface PrometheusRegistryLike {
  metrics(): Promise<string> | string;
  readonly contentType: string;
}

/** Metrics and query logging settings. */
export interface MetricsOptions {
  /** Operations slower than this are logged as slow queries. Default is `DATABASE_SLOW_QUERY_MS`, else 500. */
  slowQueryThresholdMs?: number;
  /** Latest durations kept per operation and table for percentiles. Default is 1024. */
  reservoirSize?: number;
  /**
   * Prometheus export when prom-client is installed: `true` on a new registry, a registry of your
   * own, or `false` for none. Default is `true`.
   */
  prometheus?: boolean | PrometheusRegistryLike;
  /** Prefix of the Prometheus metric names. Default is `db_`. */
  prometheusPrefix?: string;
}

/** The application's own migrations and tables. */
export interface MigrationsOptions {
  /**
   * Folders of the application's migrations, each laid out as the library's (`sqlite/` and
   * `postgres/` subfolders of `<version>_<name>.up.sql` / `.down.sql`). They are merged with the
   * library's migrations by version. Default is `DATABASE_MIGRATIONS_DIRS` (comma-separated), else none.
   */
  directories?: readonly string[];
  /** The application's table definitions: what `migrate check` and `/health` compare the live schema with. */
  tables?: readonly TableDefinition<any>[];
}

/** What {@link DatabaseModule.forRoot} takes. Every field is optional and falls back to the environment. */
export interface DatabaseModuleOptions {
  /**
   * The connection's name: several `forRoot` with distinct names open several databases side by
   * side, each injected by name (`@InjectDatabaseAdapter(name)`, `@InjectRepository(Repo, name)`).
   * Letters, digits, `_` and `-`, starting with a letter; `default` is the unnamed connection.
   * A named connection reads the same environment variables as the default one, so give it its
   * settings (or its own `env`). Default is the default connection, injected as before.
   */
  name?: string;
  /**
   * The database to use. A value read from the environment can be checked with
   * {@link isDatabaseProvider} first. Default is `DATABASE_PROVIDER`, else `supabase`.
   */
  provider?: DatabaseProvider;
  supabase?: SupabaseOptions;
  sqlite?: SqliteOptions;
  postgres?: PostgresOptions;
  pglite?: PgliteOptions;
  /**
   * What to do when Supabase is unreachable at boot. Default is `DATABASE_FALLBACK`, else `sqlite`
   * outside production and `none` when `NODE_ENV=production`.
   */
  fallback?: DatabaseFallback;
  probe?: ProbeOptions;
  /** Apply pending migrations at boot (SQLite and PostgreSQL). Default is `DATABASE_MIGRATE`, else `true`. */
  migrate?: boolean;
  /** Where migrations come from, beyond the library's own (docs/migrations.md). */
  migrations?: MigrationsOptions;
  /** The largest page a caller may ask for. Default is `DATABASE_MAX_PAGE_SIZE`, else 100. */
  maxPageSize?: number;
  /**
   * How long a transaction (either form) may stay open on SQLite and PostgreSQL before it is
   * rolled back and its later statements refused (docs/transactions.md). Default is
   * `DATABASE_TRANSACTION_TIMEOUT_MS`, else 30000.
   */
  transactionTimeoutMs?: number;
  health?: HealthOptions;
  metrics?: MetricsOptions;
  /**
   * Retries with backoff and a circuit breaker around the adapter (see docs/reliability.md), or
   * `false` for none. Default is on (`DATABASE_RESILIENCE`), with `DATABASE_RETRY_ATTEMPTS` (3),
   * `DATABASE_CIRCUIT_THRESHOLD` (5) and `DATABASE_CIRCUIT_COOLDOWN_MS` (10000).
   */
  resilience?: ResilienceOptions | false;
  /**
   * OpenTelemetry spans for every operation, through `@opentelemetry/api` (docs/health-and-metrics.md
   * › Tracing): `true` on the global tracer provider, a provider of your own, or `false` for none.
   * Without an SDK registered the spans are no-ops. Default is `DATABASE_TRACING`, else `true`.
   */
  tracing?: boolean | { tracerProvider: TracerProvider };
  /**
   * The result cache (docs/caching.md): reads that ask for it (`cache` in their options, or a
   * repository's `cacheReads`) are served from it until a write through the library changes
   * their table. `true` for the defaults, `false` for none. Default is `DATABASE_CACHE`
   * (`memory`, `redis` or `off`), else off.
   */
  cache?: CacheModuleOptions | boolean;
  /**
   * Log every statement (redacted) through Nest's Logger; ignored when `NODE_ENV=production`.
   * Default is `DATABASE_LOG_QUERIES`, else `false`.
   */
  logQueries?: boolean;
  /**
   * The environment the unset options are read from. Pass `{}` to ignore the environment.
   * Default is `process.env`.
   */
  env?: Readonly<Record<string, string | undefined>>;
}

/** Builds the module options for {@link DatabaseModule.forRootAsync} `useClass` / `useExisting`. */
export interface DatabaseOptionsFactory {
  createDatabaseOptions(): Promise<DatabaseModuleOptions> | DatabaseModuleOptions;
}

/** A group of options (`sqlite`, `postgres`, …) with an unknown key typed `never`; values and lists stay as they are. */
type KnownGroupKeys<T, Shape> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly unknown[]
    ? T
    : T extends object
      ? { [K in keyof T]: K extends keyof Shape ? T[K] : never }
      : T;

/**
 * The options `T` a factory returns, with an unknown key at the top or in a group of options
 * (`sqlite: { pth }`) typed `never`, so that it is a compile error as it is in an object literal
 * given to `forRoot`: TypeScript does not check a returned object literal for excess keys.
 */
export type ExactDatabaseModuleOptions<T> = T extends unknown
  ? {
      [K in keyof T]: K extends keyof DatabaseModuleOptions
        ? KnownGroupKeys<T[K], Extract<NonNullable<DatabaseModuleOptions[K]>, object>>
        : never;
    }
  : never;

/**
 * What {@link DatabaseModule.forRootAsync} takes: exactly one of useFactory, useClass,
 * useExisting. `T` is what `useFactory` returns, inferred: it lets an unknown option there be a
 * compile error.
 */
export interface DatabaseModuleAsyncOptions<
  T extends DatabaseModuleOptions = DatabaseModuleOptions,
> extends Pick<ModuleMetadata, 'imports'> {
  /**
   * The connection's name, as {@link DatabaseModuleOptions.name}; given here because the
   * connection's tokens must be known before its options are built. The factory may leave `name`
   * out or return the same one. Default is the default connection.
   */
  name?: string;
  /** Builds the options; its arguments are the `inject` providers. */
  useFactory?: (
    ...args: any[]
  ) => Promise<ExactDatabaseModuleOptions<T>> | ExactDatabaseModuleOptions<T>;
  /** Providers passed to `useFactory`. Default is none. */
  inject?: any[];
  /** A class the module instantiates to build the options. */
  useClass?: Type<DatabaseOptionsFactory>;
  /** An existing provider (from `imports`) that builds the options. */
  useExisting?: Type<DatabaseOptionsFactory>;
  /** Extra providers the factory class may need. Default is none. */
  extraProviders?: Provider[];
}

/** The options after defaults and validation: every value decided, nothing optional left to guess. */
export interface ResolvedDatabaseConfig {
  provider: DatabaseProvider;
  production: boolean;
  supabase: {
    url: string;
    anonKey?: string;
    serviceKey?: string;
    /** The key the boot probe sends: the service key when given, else the anon key. */
    key: string;
    fetch?: FetchFunction;
  } | null;
  sqlite: { path: string; synchronous: SqliteSynchronous };
  pglite: { path: string };
  postgres: {
    connectionString: string;
    poolMax: number;
    pooler: PoolerMode;
    connectWaitMs: number;
    migrationLockTimeoutMs: number;
  } | null;
  fallback: DatabaseFallback;
  probe: { timeoutMs: number; retries: number; backoffMs: number };
  migrate: boolean;
  /** The app's migration folders (absolute) and tables. */
  migrations: { directories: readonly string[]; tables: readonly TableDefinition<any>[] };
  maxPageSize: number;
  transactionTimeoutMs: number;
  health: { latencyThresholdMs: number; checkTimeoutMs: number; minFreeDiskBytes: number };
  metrics: {
    slowQueryThresholdMs: number;
    reservoirSize: number;
    prometheus: boolean | PrometheusRegistryLike;
    prometheusPrefix: string;
  };
  logQueries: boolean;
  /** Null when resilience is off. */
  resilience: ResilienceOptions | null;
  /** Null when tracing is off; no provider means the global one. */
  tracing: { tracerProvider?: TracerProvider } | null;
  /** Null when the cache is off. */
  cache: ResolvedCacheConfig;
}
