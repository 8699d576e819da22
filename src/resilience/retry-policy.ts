import { CircuitOpenException, ConnectionException, DatabaseException } from '../exceptions';
import { integerOption, millisOption } from './option-checks';

const OWNER = 'RetryPolicyOptions';

/**
 * What an operation is, for deciding whether running it again is safe.
 * - `read`: no effect; always safe to run again.
 * - `idempotent-write`: running it twice leaves one row (an upsert on a unique key).
 * - `write`: may create or change a row; only run again when it provably did not run.
 * - `transaction`: a `transaction(work)` call as a whole.
 */
export type OperationKind = 'read' | 'idempotent-write' | 'write' | 'transaction';

/**
 * Why an operation failed, as far as retrying goes.
 * - `connection`: the database could not be reached or the connection broke.
 * - `timeout`: the statement or request ran out of time.
 * - `transaction`: the database aborted and rolled back the work (deadlock, serialization
 *   failure, SQLITE_BUSY): running it again may succeed and cannot duplicate anything.
 * - `fatal`: anything else (constraint, validation, permission, bug): never retried.
 */
export type FailureKind = 'connection' | 'timeout' | 'transaction' | 'fatal';

/** Options of {@link RetryPolicy}. Every field has a default that follows the design document. */
export interface RetryPolicyOptions {
  /** Attempts in all, the first one included, after connection failures. Default is 3. */
  connectionAttempts?: number;
  /** The wait before the first connection retry, in ms; it doubles for each further one. Default is 100. */
  backoffBaseMs?: number;
  /** The longest wait between connection retries, in ms. Default is 2000. */
  backoffMaxMs?: number;
  /** Retries after a timeout, for reads only. Default is 2. */
  timeoutRetries?: number;
  /** The wait before retrying a timed-out read, in ms. Default is 0 (immediate). */
  timeoutDelayMs?: number;
  /** Re-runs of a whole transaction (or single operation) the database aborted. Default is 3. */
  transactionRetries?: number;
  /** The shortest random wait before such a re-run, in ms. Default is 10. */
  transactionDelayMinMs?: number;
  /** The longest random wait before such a re-run, in ms. Default is 100. */
  transactionDelayMaxMs?: number;
  /** The random source in [0, 1), for jitter. Default is `Math.random`. */
  random?: () => number;
}

/** How many retries of each kind one operation has had; made on its first failure only. */
export interface RetryCounters {
  connection: number;
  timeout: number;
  transaction: number;
}

/** Startup-time SQLSTATEs: the server refused the connection before any statement was sent. */
const REFUSED_AT_STARTUP = new Set(['57P03', '53300']);

/** Error codes, on the driver error kept as `cause`, that mean no connection was ever made. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * node-postgres messages raised before anything is written to the socket: pg-pool found no
 * connection in time, or the client already knew its connection was dead.
 */
const NOT_SENT_MESSAGES = ['timeout exceeded when trying to connect', 'is not queryable'];

function detailsOf(error: DatabaseException): Record<string, unknown> {
  return error.details ?? {};
}

/** Walks the `cause` chain (and AggregateError members) looking for a driver error code. */
function causeMatches(error: unknown, test: (e: Record<string, unknown>) => boolean): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const e = current as Record<string, unknown>;
    if (test(e)) return true;
    if (Array.isArray(e.errors) && e.errors.some((member) => causeMatches(member, test))) {
      return true;
    }
    current = e.cause;
  }
  return false;
}

/**
 * Whether the exception proves the statement never reached the database, so even a plain
 * insert may be sent again without risk of a second row.
 *
 * The contract: an error mapper sets `details.sent === false` on a ConnectionException raised
 * before anything was sent (connection refused, no pooled connection in time). Until every mapper
 * does, these are recognised too: a refused/unresolvable connection code anywhere in the `cause`
 * chain, pg-pool's connect timeout, node-postgres' "not queryable" refusal of a dead client, and
 * the startup-only SQLSTATEs 57P03 and 53300.
 */
export function wasNeverSent(error: unknown): boolean {
  if (!(error instanceof ConnectionException)) return false;
  const details = detailsOf(error);
  if (details.sent === false) return true;
  if (details.sent === true) return false;
  if (typeof details.sqlState === 'string' && REFUSED_AT_STARTUP.has(details.sqlState)) return true;
  return causeMatches(
    error.cause,
    (e) =>
      (typeof e.code === 'string' && NOT_CONNECTED_CODES.has(e.code)) ||
      (typeof e.message === 'string' &&
        NOT_SENT_MESSAGES.some((m) => (e.message as string).toLowerCase().includes(m))) ||
      // supabase-js flattens the fetch failure into text: `... (ECONNREFUSED)`.
      (typeof e.details === 'string' && e.details.includes('(ECONNREFUSED)')),
  );
}

/**
 * Whether a ConnectionException is a timeout: `details.timeout === true` (the contract), a
 * PostgreSQL statement timeout (SQLSTATE 57014), or an aborted Supabase request.
 */
export function isTimeout(error: ConnectionException): boolean {
  const details = detailsOf(error);
  if (details.timeout === true) return true;
  if (details.timeout === false) return false;
  if (details.sqlState === '57014') return true;
  return causeMatches(
    error.cause,
    (e) =>
      e.name === 'AbortError' ||
      e.name === 'TimeoutError' ||
      (typeof e.hint === 'string' && e.hint.toLowerCase().includes('aborted')),
  );
}

/** Sorts an error into a {@link FailureKind}; only retryable library exceptions can be retried. */
export function classifyFailure(error: unknown): FailureKind {
  if (!(error instanceof DatabaseException) || !error.retryable) return 'fatal';
  if (error instanceof CircuitOpenException) return 'fatal';
  if (error instanceof ConnectionException) return isTimeout(error) ? 'timeout' : 'connection';
  // A retryable non-connection error (TransactionException for a deadlock, serialization failure
  // or SQLITE_BUSY; Supabase's 40001 as a QueryException): the database rolled the work back.
  return 'transaction';
}

/**
 * Decides whether and when a failed operation runs again, following the design's error-recovery
 * chart:
 *
 * | failure                                   | retried                                   | wait                     |
 * | ----------------------------------------- | ----------------------------------------- | ------------------------ |
 * | connection                                | reads, upserts, writes never sent; 3 tries | exponential, jittered    |
 * | timeout                                   | reads only, 2 retries                      | immediate                |
 * | deadlock / serialization / SQLITE_BUSY    | the whole transaction or operation, 3 times | random                  |
 * | constraint, validation, anything else     | never                                      |                          |
 *
 * A write is retried after a connection failure only when the error proves it was never sent
 * ({@link wasNeverSent}) or it is idempotent, so a retry never creates a second row.
 */
export class RetryPolicy {
  readonly connectionAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  readonly timeoutRetries: number;
  readonly timeoutDelayMs: number;
  readonly transactionRetries: number;
  readonly transactionDelayMinMs: number;
  readonly transactionDelayMaxMs: number;
  private readonly random: () => number;

  constructor(options: RetryPolicyOptions = {}) {
    this.connectionAttempts = integerOption(
      OWNER,
      'connectionAttempts',
      options.connectionAttempts,
      3,
      1,
    );
    this.backoffBaseMs = millisOption(OWNER, 'backoffBaseMs', options.backoffBaseMs, 100);
    this.backoffMaxMs = millisOption(OWNER, 'backoffMaxMs', options.backoffMaxMs, 2_000);
    this.timeoutRetries = integerOption(OWNER, 'timeoutRetries', options.timeoutRetries, 2, 0);
    this.timeoutDelayMs = millisOption(OWNER, 'timeoutDelayMs', options.timeoutDelayMs, 0);
    this.transactionRetries = integerOption(
      OWNER,
      'transactionRetries',
      options.transactionRetries,
      3,
      0,
    );
    this.transactionDelayMinMs = millisOption(
      OWNER,
      'transactionDelayMinMs',
      options.transactionDelayMinMs,
      10,
    );
    this.transactionDelayMaxMs = Math.max(
      this.transactionDelayMinMs,
      millisOption(OWNER, 'transactionDelayMaxMs', options.transactionDelayMaxMs, 100),
    );
    this.random = options.random ?? Math.random;
  }

  /**
   * The wait in ms before running the operation again, or `undefined` when it must not be run
   * again. Counts the retry in `counters` when it allows one.
   */
  retryDelay(
    error: unknown,
    operation: OperationKind,
    counters: RetryCounters,
  ): number | undefined {
    switch (classifyFailure(error)) {
      case 'connection': {
        const safe =
          operation === 'read' || operation === 'idempotent-write' || wasNeverSent(error);
        if (!safe || counters.connection + 1 >= this.connectionAttempts) return undefined;
        const ceiling = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** counters.connection);
        counters.connection += 1;
        // "Equal jitter": at least half the backoff, so retries of many callers spread out.
        return ceiling / 2 + this.random() * (ceiling / 2);
      }
      case 'timeout':
        if (operation !== 'read' || counters.timeout >= this.timeoutRetries) return undefined;
        counters.timeout += 1;
        return this.timeoutDelayMs;
      case 'transaction': {
        if (counters.transaction >= this.transactionRetries) return undefined;
        counters.transaction += 1;
        const spread = this.transactionDelayMaxMs - this.transactionDelayMinMs;
        return this.transactionDelayMinMs + this.random() * spread;
      }
      case 'fatal':
        return undefined;
    }
  }
}
