// The passive state of transactions (a transaction, the scopes flows carry, savepoint handles)
// and the exceptions a statement of an ended transaction gets.
import { ConnectionException, TransactionException, type DatabaseException } from '../exceptions';
import type { ConnectionLock } from './connection-lock';
import type { TransactionCallback } from './transaction-callbacks';
import type { IsolationLevel } from './transaction-options';

/** Why a transaction is over. */
export type Ending = 'committed' | 'rolled back' | 'timed out' | 'closed' | 'lost' | 'broken';

/** One top-level transaction and what the manager knows of it. */
export class Transaction<C> {
  connection?: C;
  /** Settles once BEGIN has run (or failed). */
  ready: Promise<void> = Promise.resolve();
  ending?: Ending;
  /**
   * The flow that began it let go of it (its own commit or rollback, or a BEGIN that failed):
   * contexts still pointing at it run their statements outside any transaction.
   */
  released = false;
  /** A statement failed: like PostgreSQL, the transaction can then only be rolled back. */
  aborted = false;
  /** Statements on the connection right now; a busy connection is abandoned, not rolled back. */
  inFlight = 0;
  savepoints = 0;
  timer?: NodeJS.Timeout;
  /** The isolation level asked for at BEGIN; undefined: the database's default. */
  isolation?: IsolationLevel;
  /** afterCommit / afterRollback callbacks registered in it, in order. */
  callbacks: CallbackEntry<C>[] = [];
  /** Settles once the callbacks of its end have run; set when it has ended. */
  settling?: Promise<void>;
  /**
   * True during the synchronous run that called beginTransaction(): a flow started in that same
   * run shares the caller's context, so a begin that finds this transaction there comes from a
   * sibling flow, not from the flow that already has it.
   */
  opening = false;
  readonly scopes = new Set<Scope<C>>();
  /** Rejects when the transaction ends, so work racing against it stops waiting. */
  readonly over: Promise<never>;
  signalOver!: (error: Error) => void;
  root!: Scope<C>;

  constructor(
    readonly id: number,
    /**
     * `handle`: opened by beginTransaction(); `scope`: by transaction(work); `ambient`: the
     * transaction of every flow without one of its own (a test's, see `beginAmbient`).
     */
    readonly kind: 'handle' | 'scope' | 'ambient',
  ) {
    this.over = new Promise<never>((_, reject) => (this.signalOver = reject));
    this.over.catch(() => undefined);
  }
}

/** What an async flow carries: where it stands in a transaction. */
export interface Scope<C> {
  readonly tx: Transaction<C>;
  /**
   * Held by each statement of this scope while it runs and by a nested transaction for its whole
   * life, so a statement of the parent never runs inside a child's savepoint (where the child's
   * rollback would undo it) and sibling savepoints never interleave.
   */
  readonly lock: ConnectionLock;
  /** False for a nested transaction's scope. */
  readonly isRoot: boolean;
  /** Set when the scope is a savepoint opened by beginTransaction() inside the ambient transaction. */
  readonly handle?: SavepointHandle;
}

/** A callback registered in a transaction, and the scope it was registered in. */
export interface CallbackEntry<C> {
  /**
   * `commit`: afterCommit; `rollback`: afterRollback; `end`: an afterRollback whose savepoint was
   * rolled back, to run at the transaction's end whatever it is.
   */
  outcome: 'commit' | 'rollback' | 'end';
  readonly fn: TransactionCallback;
  /** Changes to the parent scope when a savepoint is released or rolled back. */
  scope: Scope<C>;
}

/** A beginTransaction() handle that is a savepoint of the ambient transaction. */
export interface SavepointHandle {
  readonly id: number;
  /** As {@link Transaction.opening}: true during the synchronous run that began it. */
  opening: boolean;
  /** The flow that began it let go of it: contexts still pointing at it join the ambient one. */
  released: boolean;
  /** Releases the savepoint (`COMMIT`) or rolls back to it (`ROLLBACK`); settles once done. */
  end(command: 'COMMIT' | 'ROLLBACK'): Promise<void>;
}

/**
 * What a statement of an ended transaction gets; `cause`: how the statement itself failed.
 * `timeoutMs` is the limit it had, for the message.
 */
export function endedError(
  tx: Transaction<unknown>,
  timeoutMs: number,
  cause?: unknown,
): DatabaseException {
  const options = cause === undefined ? {} : { cause };
  switch (tx.ending) {
    case 'closed':
      return closedException(options);
    case 'timed out':
      return new TransactionException(
        `The transaction timed out: it was open longer than ${timeoutMs} ms (transactionTimeoutMs), so it was rolled back and its later statements are refused`,
        options,
      );
    case 'committed':
      return new TransactionException(
        'This statement belongs to a transaction that has already been committed; await every call inside the transaction',
        options,
      );
    case 'lost':
      return new ConnectionException(
        'The connection of this transaction was lost, so the transaction was rolled back',
        { ...options, retryable: false },
      );
    case 'broken':
      return new TransactionException('The transaction failed and was rolled back', options);
    default:
      return new TransactionException(
        'The transaction has been rolled back; its later statements are refused so that none runs outside it',
        options,
      );
  }
}

/** What a statement or callback of a nested transaction that has already ended gets. */
export function nestedEndedError(): TransactionException {
  return new TransactionException(
    'This statement belongs to a nested transaction that has already ended; await every call inside transaction()',
  );
}

/** What every call gets once the adapter is closed. */
export function closedException(options: { cause?: unknown } = {}): ConnectionException {
  return new ConnectionException(
    'The adapter is closed (a transaction left open was rolled back)',
    {
      ...options,
      details: { closed: true },
      retryable: false,
    },
  );
}
