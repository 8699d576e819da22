import type { Pool, PoolClient } from 'pg';
import { ConnectionException, TransactionException } from '../../exceptions';
import type { TransactionConnections } from '../../transactions/transaction-connections';
import type { IsolationLevel } from '../../transactions/transaction-options';
import { isPostgresConnectionError, mapPostgresError } from './postgres-error.mapper';

/** A client checked out of the pool, with the error listener a checked-out client needs. */
export interface CheckedOutClient {
  readonly client: PoolClient;
  /** The connection-level error seen while checked out, if any. */
  readonly failure: () => unknown;
  /** Returns the client to the pool, or destroys it when its connection failed. Idempotent. */
  release(error?: unknown): void;
  /** Closes the client's connection instead of returning it (the server rolls back). Idempotent. */
  destroy(): void;
}

/** Where {@link guardPoolClients} notes the connection error a client had. */
const CONNECTION_LOST = Symbol('connectionLost');

type GuardedClient = PoolClient & { [CONNECTION_LOST]?: unknown };

/**
 * Gives every client the pool opens an error listener of its own for its whole life. pg-pool
 * listens only while a client is idle and removes its listener as it hands the client out; an
 * error parsed in that same synchronous run (a backend terminated just as its connection opened
 * arrives in the packet that completes it) would be emitted with no listener, which ends the
 * process. This one notes the error on the client, so {@link checkOut} discards it instead of
 * handing out a dead connection. Returns the pool.
 */
export function guardPoolClients(pool: Pool): Pool {
  pool.on('connect', (client: GuardedClient) =>
    client.on('error', (error) => {
      client[CONNECTION_LOST] = error;
    }),
  );
  return pool;
}

/**
 * Checks a client out of the pool. While it is checked out pg-pool listens for nothing, and an
 * unhandled `error` event (the server went away between two statements) would crash the process,
 * so a listener records the failure instead; release destroys such a client. A client whose
 * connection was lost before it was handed out is destroyed and another taken, a few times at
 * most, without costing the caller an attempt. A pool that stays full for
 * `connectionTimeoutMillis` says so, rather than looking like a lost connection.
 */
export async function checkOut(pool: Pool): Promise<CheckedOutClient> {
  let client: GuardedClient;
  try {
    client = await pool.connect();
    for (let replaced = 0; client[CONNECTION_LOST] !== undefined && replaced < 3; replaced++) {
      client.release(toError(client[CONNECTION_LOST]));
      client = await pool.connect();
    }
  } catch (error) {
    throw poolExhausted(pool, error) ?? error;
  }
  let failure: unknown = client[CONNECTION_LOST];
  let released = false;
  const onError = (error: unknown): void => {
    failure = error;
  };
  client.on('error', onError);
  const give = (broken: unknown): void => {
    if (released) return;
    released = true;
    client.removeListener('error', onError);
    client.release(broken === undefined ? undefined : toError(broken));
  };
  return {
    client,
    failure: () => failure,
    release: (error?: unknown) =>
      give(failure ?? (isPostgresConnectionError(error) ? error : undefined)),
    destroy: () => give(failure ?? new Error('The connection was given up with its transaction')),
  };
}

function poolExhausted(pool: Pool, error: unknown): ConnectionException | undefined {
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
    private readonly pool: Pool,
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
