import type { ConnectionOptions } from 'node:tls';
import type { PoolConfig } from 'pg';
import { durationProblem } from '../../config/duration-option';
import { ValidationException } from '../../exceptions';
import { DEFAULT_MIGRATION_LOCK_TIMEOUT_MS } from '../../migrations/drivers/postgres-migration.driver';
import type { QueryLimits } from '../../query/plan-query';
import { DEFAULT_TRANSACTION_TIMEOUT_MS } from '../../transactions/transaction-manager';
import type { QueryObserver } from '../query-observer';

/** The statement timeout used when {@link PostgresAdapterOptions.statementTimeoutMs} is not given. */
export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

/** How statements are sent: as named server-side prepared statements or unnamed ones. */
export type PreparedStatementMode = 'auto' | 'named' | 'unnamed';

/**
 * What sits between the adapter and PostgreSQL.
 * - `none`: the server itself (or a proxy that passes the startup packet through).
 * - `session`: a session-mode pooler (Supavisor or PgBouncer in session mode): one server
 *   connection per client connection, but only the startup parameters the pooler knows.
 * - `transaction`: a transaction-mode pooler (Supabase's port 6543, PgBouncer `pool_mode =
 *   transaction`): each transaction may run on another server connection, so nothing may rely
 *   on session state.
 * - `auto`: `transaction` when the URL looks like a transaction pooler
 *   ({@link looksLikeTransactionPooler}), `none` otherwise.
 */
export type PoolerMode = 'auto' | 'none' | 'session' | 'transaction';

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
   * The server cancels a statement that runs longer than this, in milliseconds, with SQLSTATE
   * 57014 (a retryable ConnectionException with `details.timeout`). Directly (`pooler: 'none'`)
   * it is the `statement_timeout` startup parameter; behind a pooler, which refuses that
   * parameter, every transaction begins with `SET LOCAL statement_timeout` and a statement
   * outside a transaction gets a client-side deadline that sends the server a cancel request.
   * `0` leaves the server's own setting. Default is 30000.
   */
  statementTimeoutMs?: number;
  /**
   * What is between the adapter and the server; see {@link PoolerMode}. Default is `auto`.
   */
  pooler?: PoolerMode;
  /**
   * `named`: each statement shape is prepared once per connection (faster on a direct or session
   * connection); not allowed with `pooler: 'transaction'`. `unnamed`: parsed on every call, which
   * transaction poolers (Supavisor on port 6543, PgBouncer) require. `auto`: unnamed with a
   * transaction pooler, named otherwise. Default is `auto`.
   */
  preparedStatements?: PreparedStatementMode;
  /** Page size and IN-list limits. Default is {@link DEFAULT_QUERY_LIMITS}. */
  limits?: Partial<QueryLimits>;
  /** Apply pending migrations when opening. Default is `false`. */
  migrate?: boolean;
  /** Where the migration files are. Default is the migration runner's own default. */
  migrationsDirectory?: string;
  /**
   * The application's migration folders (each with `sqlite/` and `postgres/` subfolders), applied
   * with the library's, merged by version. Default is none.
   */
  appMigrationsDirectories?: readonly string[];
  /** Receives a line per migration `open` applies (the module logs them at boot). Default discards them. */
  migrationLog?: (line: string) => void;
  /**
   * How long one wait for the migration lock (held by another instance migrating the same
   * database) may last before `open()` fails with a MigrationException naming the holder, in
   * milliseconds. The wait is logged once. Default is 300000 (5 minutes).
   */
  migrationLockTimeoutMs?: number;
  /**
   * When set, `open()` checks the server answers (`SELECT 1`) before returning, retrying with
   * backoff for up to this many milliseconds while it is unreachable, then fails with a
   * ConnectionException saying so. Unset: no check unless `migrate` is on (then one attempt).
   * `DatabaseModule` sets it from `DATABASE_CONNECT_WAIT_MS` (default 30000). Default is unset.
   */
  connectWaitMs?: number;
  /**
   * How long a transaction (`transaction(work)` or `beginTransaction()`) may stay open before it
   * is rolled back, its client given back to the pool and its later statements refused, in
   * milliseconds. Default is 30000.
   */
  transactionTimeoutMs?: number;
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
  /** The pooler mode decided from `pooler` and the URL; never `auto`. */
  pooler: Exclude<PoolerMode, 'auto'>;
  namedStatements: boolean;
  /**
   * What opens a library transaction, as one simple-protocol query: `BEGIN`, followed behind a
   * pooler by `SET LOCAL statement_timeout = <statementTimeoutMs>` in the same round trip.
   */
  beginStatement: string;
  /**
   * The `statement_timeout` startup parameter to send (direct connections only), or undefined.
   */
  startupStatementTimeoutMs?: number;
  /**
   * The client-side deadline of a statement outside a transaction, after which the server is
   * asked to cancel it (behind a pooler only), or undefined.
   */
  statementDeadlineMs?: number;
  migrationLockTimeoutMs: number;
  connectWaitMs?: number;
  transactionTimeoutMs: number;
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

/** Decides the pooler mode from the option and the connection string. */
export function resolvePoolerMode(
  mode: PoolerMode,
  connectionString: string,
): Exclude<PoolerMode, 'auto'> {
  if (mode !== 'auto') return mode;
  return looksLikeTransactionPooler(connectionString) ? 'transaction' : 'none';
}

/**
 * Decides whether statements are named, from the mode and the connection string (or the pooler
 * mode already decided). A transaction pooler never gets named statements: see
 * {@link resolvePostgresOptions} for the explicit `named` that contradicts it.
 */
export function useNamedStatements(
  mode: PreparedStatementMode,
  connectionString: string,
  pooler: PoolerMode = 'auto',
): boolean {
  if (mode === 'named') return true;
  if (mode === 'unnamed') return false;
  return resolvePoolerMode(pooler, connectionString) !== 'transaction';
}

/** The text that opens a transaction; the timeout is our own validated integer, never input. */
function beginStatement(pooler: Exclude<PoolerMode, 'auto'>, statementTimeoutMs: number): string {
  if (pooler === 'none' || statementTimeoutMs === 0) return 'BEGIN';
  return `BEGIN; SET LOCAL statement_timeout = ${statementTimeoutMs}`;
}

/** Every value {@link PostgresAdapterOptions.pooler} accepts. */
export const POOLER_MODES: readonly PoolerMode[] = ['auto', 'none', 'session', 'transaction'];

/** A duration option in whole ms: this adapter's go into SQL and into node-postgres' timers. */
function duration(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const problem = durationProblem(value, 0);
  if (problem !== undefined) throw new TypeError(`PostgresAdapterOptions.${name} ${problem}`);
  return value;
}

/**
 * The transaction time limit, checked here (before a pool exists) as the transaction manager
 * checks it on every SQL adapter: a ValidationException naming the field, at least 1 ms.
 */
function transactionTimeout(value: number | undefined): number {
  if (value === undefined) return DEFAULT_TRANSACTION_TIMEOUT_MS;
  const problem = durationProblem(value, 1);
  if (problem === undefined) return value;
  throw new ValidationException(
    `PostgresAdapterOptions.transactionTimeoutMs ${problem}`,
    'transactionTimeoutMs',
  );
}

/**
 * Checks the options and fills in the defaults. Throws TypeError on a malformed option (a
 * ValidationException for `transactionTimeoutMs`, as on every SQL adapter); every duration must
 * be a whole number of milliseconds up to 2^31 - 1.
 */
export function resolvePostgresOptions(options: PostgresAdapterOptions): ResolvedPostgresOptions {
  if (typeof options?.connectionString !== 'string' || options.connectionString === '') {
    throw new TypeError('PostgresAdapterOptions.connectionString is required');
  }
  const mode = options.preparedStatements ?? 'auto';
  if (mode !== 'auto' && mode !== 'named' && mode !== 'unnamed') {
    throw new TypeError('PostgresAdapterOptions.preparedStatements must be auto, named or unnamed');
  }
  const poolerOption = options.pooler ?? 'auto';
  if (!POOLER_MODES.includes(poolerOption)) {
    throw new TypeError('PostgresAdapterOptions.pooler must be auto, none, session or transaction');
  }
  const pooler = resolvePoolerMode(poolerOption, options.connectionString);
  if (pooler === 'transaction' && mode === 'named') {
    // A statement prepared on one server connection is missing on the next, or seen by another
    // client: refuse at once rather than fail on some calls.
    throw new TypeError(
      "PostgresAdapterOptions.preparedStatements 'named' cannot be used behind a transaction pooler; " +
        "use 'unnamed', or set pooler to 'session' or 'none' if the URL is not one",
    );
  }
  const max = options.pool?.max ?? 10;
  if (!Number.isInteger(max) || max < 1) {
    throw new TypeError('PostgresAdapterOptions.pool.max must be an integer of at least 1');
  }
  const statementTimeoutMs = duration(
    'statementTimeoutMs',
    options.statementTimeoutMs,
    DEFAULT_STATEMENT_TIMEOUT_MS,
  );
  const timed = statementTimeoutMs > 0;
  return {
    connectionString: options.connectionString,
    max,
    idleTimeoutMillis: duration('pool.idleTimeoutMillis', options.pool?.idleTimeoutMillis, 30_000),
    connectionTimeoutMillis: duration(
      'pool.connectionTimeoutMillis',
      options.pool?.connectionTimeoutMillis,
      5_000,
    ),
    statementTimeoutMs,
    pooler,
    namedStatements: useNamedStatements(mode, options.connectionString, pooler),
    beginStatement: beginStatement(pooler, statementTimeoutMs),
    startupStatementTimeoutMs: timed && pooler === 'none' ? statementTimeoutMs : undefined,
    statementDeadlineMs: timed && pooler !== 'none' ? statementTimeoutMs : undefined,
    migrationLockTimeoutMs: duration(
      'migrationLockTimeoutMs',
      options.migrationLockTimeoutMs,
      DEFAULT_MIGRATION_LOCK_TIMEOUT_MS,
    ),
    connectWaitMs:
      options.connectWaitMs === undefined
        ? undefined
        : duration('connectWaitMs', options.connectWaitMs, 0),
    transactionTimeoutMs: transactionTimeout(options.transactionTimeoutMs),
    applicationName: options.applicationName ?? 'nest-data-layer',
    ssl: options.ssl,
  };
}

/**
 * The node-postgres pool configuration for resolved options. Only a direct connection gets the
 * `statement_timeout` startup parameter: poolers refuse parameters they do not know (08P01).
 */
export function poolConfig(settings: ResolvedPostgresOptions): PoolConfig {
  const config: PoolConfig = {
    connectionString: settings.connectionString,
    max: settings.max,
    idleTimeoutMillis: settings.idleTimeoutMillis,
    connectionTimeoutMillis: settings.connectionTimeoutMillis,
    application_name: settings.applicationName,
  };
  if (settings.startupStatementTimeoutMs !== undefined) {
    config.statement_timeout = settings.startupStatementTimeoutMs;
  }
  if (settings.ssl !== undefined) config.ssl = settings.ssl;
  return config;
}
