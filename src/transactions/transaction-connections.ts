// The contract between the transaction manager and an engine: how a connection for a transaction
// is had, and how transaction-control statements run on it.
import type { DatabaseException } from '../exceptions';
import type { IsolationLevel } from './transaction-options';

/**
 * How one SQL engine hands connections to transactions. The {@link TransactionManager} decides
 * when to begin, set savepoints, commit and roll back; an implementation knows only how, on its
 * engine: one shared connection behind a lock (SQLite) or one pooled client per transaction
 * (PostgreSQL). Errors it throws are already the library's exceptions.
 */
export interface TransactionConnections<C> {
  /**
   * Whether an open transaction has the whole database to itself (one connection behind a lock):
   * then no other statement can come between two of its statements.
   */
  readonly exclusive: boolean;
  /**
   * Takes a connection for a new top-level transaction and runs BEGIN on it, at `isolation` when
   * given. An engine whose transactions never overlap (`exclusive`) meets every level as it is and
   * may ignore it.
   */
  begin(isolation?: IsolationLevel): Promise<C>;
  /** Runs a savepoint statement (SAVEPOINT, RELEASE SAVEPOINT, ROLLBACK TO SAVEPOINT). */
  control(connection: C, statement: string): Promise<void> | void;
  /**
   * Runs COMMIT or ROLLBACK and gives the connection back, whatever happens. Throws when COMMIT
   * did not commit (the transaction is then rolled back).
   */
  end(connection: C, command: 'COMMIT' | 'ROLLBACK'): Promise<void>;
  /**
   * Gives the connection back at once without a round trip, its transaction rolled back with it
   * (a busy connection whose transaction timed out, or the adapter closing).
   */
  abandon(connection: C): void;
  /**
   * Why the transaction on this connection is gone although nobody ended it, checked after a
   * failed statement: `connection` when the connection failed, `engine` when the engine rolled it
   * back on its own (SQLite does after some errors); undefined while it is still there.
   */
  lost(connection: C): 'connection' | 'engine' | undefined;
  /**
   * Turns an error of a statement into a library exception (the engine's error mapper), for the
   * exception a statement gets when its transaction ended while it ran.
   */
  mapError(error: unknown): DatabaseException;
  /**
   * Runs a statement that belongs to no transaction: at once, or, on a single shared connection,
   * after the open transaction has ended so that it never runs inside another flow's.
   */
  outside<R>(step: (connection: undefined) => R | Promise<R>): R | Promise<R>;
}
