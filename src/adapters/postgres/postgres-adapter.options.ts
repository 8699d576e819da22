import type { ConnectionOptions } from 'node:tls';
import type { QueryLimits } from '../../query/plan-query';
import type { QueryObserver } from '../query-observer';

/** How statements are sent: as named server-side prepared statements or unnamed ones. */
export type PreparedStatementMode = 'auto' | 'named' | 'unnamed';

/** Connection pool settings of {@link PostgresAdapterOptions}. */
export interface PostgresPoolOptions {
  /** The most connections the pool opens; also the most transactions running at once. Default is 10. */
  max?: number;
  /** How long an unused connection stays open, in milliseconds. Default is 30000. */
  idleTimeoutMillis?: number;
  /** How long to wait for a connection (new or from the pool), in milliseconds. Default is 5000. */
  connectionTimeoutMillis?: number;
}

/** How {@link PostgresAdapter.open} connects to PostgreSQL. */
export interface PostgresAdapterOptions {
  /**
   * A `postgresql://` URL: Supabase's DATABASE_URL (direct, session or transaction pooler) or any
   * PostgreSQL server.
   */
  connectionString: string;
  /** Pool sizing and timeouts. Defaults are listed on each field. */
  pool?: PostgresPoolOptions;
  /**
   * The server cancels a statement that runs longer than this, in milliseconds (sent as the
   * `statement_timeout` startup parameter, so it also holds for each pooled connection).
   * `0` disables it. Default is 30000.
   */
  statementTimeoutMs?: number;
  /**
   * `named`: each statement shape is prepared once per connection (faster on a direct or session
   * connection). `unnamed`: parsed on every call, which transaction poolers (Supavisor on port 6543,
   * PgBouncer) require. `auto`: unnamed when the URL looks like a transaction pooler (port 6543,
   * `pgbouncer=true`, `prepareThreshold=0`, `statement_cache_size=0`), named otherwise.
   * Default is `auto`.
   */
  preparedStatements?: PreparedStatementMode;
  /** Page size and IN-list limits. Default is {@link DEFAULT_QUERY_LIMITS}. */
  limits?: Partial<QueryLimits>;
  /** Apply pending migrations when opening. Default is `false`. */
  migrate?: boolean;
  /** Where the migration files are. Default is the migration runner's own default. */
  migrationsDirectory?: string;
  /** Receives an event after every operation (metrics, query logs). Default is none. */
  observer?: QueryObserver;
  /**
   * TLS settings passed to node-postgres: `true` for TLS with certificate checks, or TLS options
   * (e.g. `{ ca }` with Supabase's CA certificate). Default is whatever the URL's `sslmode` says.
   */
  ssl?: boolean | ConnectionOptions;
  /** The `application_name` shown in `pg_stat_activity`. Default is `nest-data-layer`. */
  applicationName?: string;
}

/** Options with every default filled in. */
export interface ResolvedPostgresOptions {
  connectionString: string;
  max: number;
  idleTimeoutMillis: number;
  connectionTimeoutMillis: number;
  statementTimeoutMs: number;
  namedStatements: boolean;
  applicationName: string;
  ssl?: boolean | ConnectionOptions;
}

/** URL query parameters other drivers use to say "behind a transaction pooler". */
const POOLER_HINTS: ReadonlyArray<readonly [string, string]> = [
  ['pgbouncer', 'true'],
  ['preparethreshold', '0'],
  ['statement_cache_size', '0'],
  ['prepared_statements', 'false'],
];

/** The port Supabase's Supavisor and dedicated PgBouncer use for transaction mode. */
const TRANSACTION_POOLER_PORT = '6543';

/**
 * Whether a connection string points at a transaction-mode pooler, where named prepared
 * statements break (a statement prepared on one backend is missing on the next: supavisor#239).
 */
export function looksLikeTransactionPooler(connectionString: string): boolean {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    // Not a URL (a key=value DSN or a socket path): no pooler hints to read.
    return false;
  }
  if (url.port === TRANSACTION_POOLER_PORT) return true;
  for (const [key, value] of url.searchParams) {
    const lowered = key.toLowerCase();
    if (POOLER_HINTS.some(([k, v]) => k === lowered && v === value.toLowerCase())) return true;
  }
  return false;
}

/** Decides whether statements are named, from the mode and the connection string. */
export function useNamedStatements(mode: PreparedStatementMode, connectionString: string): boolean {
  if (mode === 'named') return true;
  if (mode === 'unnamed') return false;
  return !looksLikeTransactionPooler(connectionString);
}

function nonNegativeInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) {
    throw new TypeError(`PostgresAdapterOptions.${name} must be a non-negative integer`);
  }
  return value;
}

/** Checks the options and fills in the defaults. Throws TypeError on a malformed option. */
export function resolvePostgresOptions(options: PostgresAdapterOptions): ResolvedPostgresOptions {
  if (typeof options?.connectionString !== 'string' || options.connectionString === '') {
    throw new TypeError('PostgresAdapterOptions.connectionString is required');
  }
  const mode = options.preparedStatements ?? 'auto';
  if (mode !== 'auto' && mode !== 'named' && mode !== 'unnamed') {
    throw new TypeError('PostgresAdapterOptions.preparedStatements must be auto, named or unnamed');
  }
  const max = nonNegativeInteger('pool.max', options.pool?.max, 10);
  if (max < 1) throw new TypeError('PostgresAdapterOptions.pool.max must be at least 1');
  return {
    connectionString: options.connectionString,
    max,
    idleTimeoutMillis: nonNegativeInteger(
      'pool.idleTimeoutMillis',
      options.pool?.idleTimeoutMillis,
      30_000,
    ),
    connectionTimeoutMillis: nonNegativeInteger(
      'pool.connectionTimeoutMillis',
      options.pool?.connectionTimeoutMillis,
      5_000,
    ),
    statementTimeoutMs: nonNegativeInteger(
      'statementTimeoutMs',
      options.statementTimeoutMs,
      30_000,
    ),
    namedStatements: useNamedStatements(mode, options.connectionString),
    applicationName: options.applicationName ?? 'nest-data-layer',
    ssl: options.ssl,
  };
}
