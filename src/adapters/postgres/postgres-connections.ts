import type { PoolClient } from 'pg';
import { ConnectionException, TransactionException } from '../../exceptions';
import type { TransactionConnections } from '../../transactions/transaction-connections';
import type { IsolationLevel } from '../../transactions/transaction-options';
import { isPostgresConnectionError, mapPostgresError } from './postgres-error.mapper';
import { connectionLost, type PostgresPool } from './postgres-pool';

/** A client checked out of the pool for one statement or one transaction. */
export interface CheckedOutClient {
  readonly client: PoolClient;
  /** The connection-level error seen while checked out, if any. */
  readonly failure: () => unknown;
  /** Returns the client to the pool, or destroys it when its connection failed. Idempotent. */
  release(error?: unknown): void;
  /** Closes the client's connection instead of returning it (the server rolls back). Idempotent. */
  destroy(): void;
}

/**
 * One checkout. The pool gives every client a lifelong error listener (see
 * {@link PostgresPool}), so a connection error while checked out is noted on the client and no
 * listener of this lease's own is needed.
 */
class Lease implements CheckedOutClient {
  private released = false;

  constructor(
    private readonly pool: PostgresPool,
    readonly client: PoolClient,
  ) {}

  failure(): unknown {
    return connectionLost(this.client);
  }

  release(error?: unknown): void {
    const lost = connectionLost(this.client);
    if (lost !== undefined) return this.give(lost);
    this.give(isPostgresConnectionError(error) ? error : undefined);
  }

  destroy(): void {
    this.give(
      connectionLost(this.client) ?? new Error('The connection was given up with its transaction'),
    );
  }

  private give(broken: unknown): void {
    if (this.released) return;
    this.released = true;
    if (broken === undefined) this.pool.keepWarm(this.client);
    else this.client.release(toError(broken));
  }
}

/**
 * Checks a client out of the pool: a warm one at once when there is one (no promise), otherwise
 * from pg-pool. A client whose connection was lost before it was handed out is destroyed and
 * another taken, a few times at most, without costing the caller an attempt. A pool that stays
 * full for `connectionTimeoutMillis` says so, rather than looking like a lost connection.
 */
export function checkOut(pool: PostgresPool): CheckedOutClient | Promise<CheckedOutClient> {
  const warm = pool.takeWarm();
  return warm === undefined ? checkOutFromPool(pool) : new Lease(pool, warm);
}

async function checkOutFromPool(pool: PostgresPool): Promise<CheckedOutClient> {
  let client: PoolClient;
  try {
    client = await pool.connect();
    for (let replaced = 0; connectionLost(client) !== undefined && replaced < 3; replaced++) {
      client.release(toError(connectionLost(client)));
      client = await pool.connect();
    }
  } catch (error) {
    throw poolExhausted(pool, error) ?? error;
  }
  return new Lease(pool, client);
}

function poolExhausted(pool: PostgresPool, error: unknown): ConnectionException | undefined {
  const { max, connectionTimeoutMillis } = pool.options;
  const timedOut = /timeout exceeded when trying to connect/i.test(String(error));
  if (!timedOut || pool.totalCount < (max ?? 10)) return undefined;
  // totalCount counts clients still connecting too: a slow server fills the pool as well.
  return new ConnectionException(
    `No pooled connection became free within ${connectionTimeoutMillis} ms: all of them ` +
      `(pool.max ${max}) were busy or still connecting ` +
      '(too many concurrent calls, a slow server, or transactions left open)',
    { cause: error, details: { sent: false, poolExhausted: true } },
  );
}

/** The SQL of each isolation level: fixed texts, never input. */
const ISOLATION_SQL: Record<IsolationLevel, string> = {
  'read committed': 'READ COMMITTED',
  'repeatable read': 'REPEATABLE READ',
  serializable: 'SERIALIZABLE',
};

/** `BEGIN …` with the isolation level as its first clause, so it holds through a pooler too. */
function withIsolation(beginStatement: string, isolation: IsolationLevel | undefined): string {
  if (isolation === undefined) return beginStatement;
  return `BEGIN ISOLATION LEVEL ${ISOLATION_SQL[isolation]}${beginStatement.slice('BEGIN'.length)}`;
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * PostgreSQL's side of the shared transaction manager: each transaction on a pooled client of its
 * own, statements outside transactions on any client, so transactions run side by side up to the
 * pool size.
 */
export class PostgresConnections implements TransactionConnections<CheckedOutClient> {
  readonly exclusive = false;

  constructor(
    private readonly pool: PostgresPool,
    /** `BEGIN`, followed behind a pooler by the transaction's `SET LOCAL statement_timeout`. */
    private readonly beginStatement: string,
  ) {}

  async begin(isolation?: IsolationLevel): Promise<CheckedOutClient> {
    const checkedOut = await checkOut(this.pool);
    try {
      await checkedOut.client.query(withIsolation(this.beginStatement, isolation));
    } catch (error) {
      checkedOut.release(error);
      throw mapPostgresError(error);
    }
    return checkedOut;
  }

  async control(connection: CheckedOutClient, statement: string): Promise<void> {
    try {
      await connection.client.query(statement);
    } catch (error) {
      throw mapPostgresError(error);
    }
  }

  async end(connection: CheckedOutClient, command: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    let failure: unknown;
    try {
      const result = await connection.client.query(command);
      if (command === 'COMMIT' && result.command === 'ROLLBACK') {
        throw new TransactionException(
          'The transaction was rolled back because a statement in it failed',
        );
      }
    } catch (error) {
      failure = error;
      throw mapPostgresError(error);
    } finally {
      connection.release(failure);
    }
  }

  abandon(connection: CheckedOutClient): void {
    connection.destroy();
  }

  mapError(error: unknown) {
    return mapPostgresError(error);
  }

  lost(connection: CheckedOutClient): 'connection' | undefined {
    return connection.failure() === undefined ? undefined : 'connection';
  }

  outside<R>(step: (connection: undefined) => R | Promise<R>): R | Promise<R> {
    return step(undefined);
  }
}
