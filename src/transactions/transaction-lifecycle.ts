// The life of a top-level transaction, shared by every part of the manager: its scopes and the
// AsyncLocalStorage that carries them, BEGIN on a connection of its own, one statement run in a
// scope, COMMIT and ROLLBACK, and the marks that make every later statement of an ended
// transaction fail, and when the afterCommit / afterRollback callbacks of its end run. Savepoints are in savepoints.ts, the ambient transaction of tests in
// ambient-transaction.ts, the time limit in transaction-time-limit.ts.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseException } from '../exceptions';
import { TransactionException } from '../exceptions';
import { ConnectionLock } from './connection-lock';
import {
  type CallbackRegistrar,
  enterFlow,
  enterFlowWith,
  runCallbacks,
  takeCallbacks,
  type TransactionCallback,
} from './transaction-callbacks';
import type { TransactionConnections } from './transaction-connections';
import type { TimeLimit } from './transaction-time-limit';
import {
  type CallbackEntry,
  closedException,
  endedError,
  type Ending,
  nestedEndedError,
  type SavepointHandle,
  type Scope,
  Transaction,
} from './transaction-state';

/** The two ways a transaction or savepoint ends. */
export type Command = 'COMMIT' | 'ROLLBACK';

/**
 * The state every part of one {@link TransactionManager} shares, and the steps of a
 * transaction's life on its connection. Scopes are carried by an AsyncLocalStorage owned by this
 * instance, so two adapters never see each other's transactions.
 */
export class TransactionLifecycle<C> implements CallbackRegistrar {
  readonly storage = new AsyncLocalStorage<Scope<C> | undefined>();
  /** Transactions opened by beginTransaction(), by id. */
  readonly handles = new Map<number, Transaction<C>>();
  private readonly live = new Set<Transaction<C>>();
  private lastId = 0;
  private isClosed = false;

  constructor(
    readonly connections: TransactionConnections<C>,
    readonly limit: TimeLimit,
  ) {
    // Node 20 starts tracking promise contexts on an AsyncLocalStorage's first use; promises made
    // before it carry none, and a first beginTransaction() would then leak its transaction into
    // the flow that awaited the one calling it. Using the storage now starts the tracking before
    // any flow can begin a transaction.
    this.storage.enterWith(undefined);
  }

  /** Whether {@link closeAll} has run: new transactions are refused. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** A number no other transaction or savepoint handle of this manager has. */
  nextId(): number {
    this.lastId += 1;
    return this.lastId;
  }

  /** A new transaction, with its root scope, not yet open. */
  create(kind: Transaction<C>['kind']): Transaction<C> {
    const tx = new Transaction<C>(this.nextId(), kind);
    tx.root = this.scope(tx, true);
    return tx;
  }

  /** A new scope of `tx`, live until it is closed or `tx` ends. */
  scope(tx: Transaction<C>, isRoot: boolean, handle?: SavepointHandle): Scope<C> {
    const scope: Scope<C> = { tx, lock: new ConnectionLock(), isRoot, handle };
    tx.scopes.add(scope);
    return scope;
  }

  /** Runs `work` in `scope`: its calls join the scope's transaction. */
  enter<R>(scope: Scope<C>, work: () => R): R {
    return this.storage.run(scope, () => enterFlow(this, work));
  }

  /** The calling flow joins `scope` from now on, synchronously (beginTransaction). */
  enterWith(scope: Scope<C>): void {
    this.storage.enterWith(scope);
    enterFlowWith(this);
  }

  register(outcome: 'commit' | 'rollback', fn: TransactionCallback): boolean {
    const scope = this.storage.getStore();
    if (scope === undefined || scope.tx.released || scope.handle?.released === true) return false;
    if (scope.tx.ending !== undefined) throw this.ended(scope.tx);
    if (!scope.tx.scopes.has(scope)) throw nestedEndedError();
    scope.tx.callbacks.push({ outcome, fn, scope });
    return true;
  }

  /**
   * Runs the callbacks of an outermost transaction that was a savepoint (one of the app's in the
   * test transaction), outside it, as {@link settle} does for a transaction.
   */
  runCallbacks(entries: CallbackEntry<C>[], committed: boolean): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return this.storage.run(undefined, () =>
      runCallbacks(entries, committed ? 'commit' : 'rollback'),
    );
  }

  /** Settles once the callbacks of the transaction's end have run (at once while it is open). */
  settled(tx: Transaction<C>): Promise<void> {
    return tx.settling ?? Promise.resolve();
  }

  /** What a statement of an ended transaction gets; `cause`: how the statement itself failed. */
  ended(tx: Transaction<C>, cause?: unknown): DatabaseException {
    return endedError(tx, this.limit.ms, cause);
  }

  /** Runs BEGIN on a connection of the transaction's own and starts its clock. */
  open(tx: Transaction<C>): Promise<void> {
    if (this.isClosed) {
      this.over(tx, 'closed');
      return Promise.reject(closedException());
    }
    this.live.add(tx);
    tx.ready = this.connections.begin(tx.isolation).then(
      (connection) => {
        if (tx.ending !== undefined) {
          // Ended (closed, or rolled back by its handle) while BEGIN was on its way.
          this.connections.abandon(connection);
          throw this.ended(tx);
        }
        tx.connection = connection;
        // The ambient transaction lasts as long as its test, however long that is.
        if (tx.kind !== 'ambient') this.limit.start(tx, () => this.expire(tx));
      },
      (error: unknown) => {
        tx.released = true;
        if (tx.ending === undefined) this.over(tx, 'broken');
        throw error;
      },
    );
    return tx.ready;
  }

  /**
   * Runs one statement in `scope`, after the scope's running statement or open nested
   * transaction. A failure aborts the transaction unless `atomic` says the step undid itself.
   */
  async inScope<R>(
    scope: Scope<C>,
    step: (connection: C | undefined) => R | Promise<R>,
    atomic: boolean,
  ): Promise<R> {
    const { tx } = scope;
    if (!scope.lock.tryAcquire()) await scope.lock.acquire();
    try {
      this.checkUsable(scope);
      if (tx.connection === undefined) await tx.ready;
      tx.inFlight += 1;
      try {
        return await step(tx.connection);
      } catch (error) {
        // Ended while the statement ran (timed out, closed): say so rather than how it broke.
        if (tx.ending !== undefined) throw this.ended(tx, this.connections.mapError(error));
        const lost = this.connections.lost(tx.connection as C);
        if (lost !== undefined) {
          // Its connection failed, or the engine ended it on its own: nothing of it may run as
          // autocommit now.
          this.over(tx, lost === 'connection' ? 'lost' : 'broken');
          this.connections.abandon(tx.connection as C);
        } else if (!atomic) tx.aborted = true;
        throw error;
      } finally {
        tx.inFlight -= 1;
      }
    } finally {
      scope.lock.release();
    }
  }

  /** COMMIT, once the root scope's running statement and open nested transaction are done. */
  async commit(tx: Transaction<C>): Promise<void> {
    if (!tx.root.lock.tryAcquire()) await tx.root.lock.acquire();
    if (tx.aborted) {
      await this.end(tx, 'ROLLBACK', 'rolled back');
      throw new TransactionException(
        'The transaction was rolled back because a statement in it failed',
      );
    }
    await this.end(tx, 'COMMIT', 'committed');
  }

  /**
   * Ends the transaction with `command`, marking it `ending` first, then starts the callbacks of
   * its end. A COMMIT that fails leaves it rolled back.
   */
  async end(tx: Transaction<C>, command: Command, ending: Ending): Promise<void> {
    if (tx.ending !== undefined) throw this.ended(tx);
    this.markEnded(tx, ending);
    const connection = tx.connection;
    try {
      // Without a connection BEGIN is still on its way, and open() abandons it when it arrives.
      if (connection === undefined) return;
      if (command === 'ROLLBACK' && tx.inFlight > 0) this.connections.abandon(connection);
      else await this.connections.end(connection, command);
    } catch (error) {
      if (command === 'COMMIT') tx.ending = 'rolled back';
      throw error;
    } finally {
      this.settle(tx);
    }
  }

  /** Marks the transaction over: every waiting or later statement of it fails. */
  markEnded(tx: Transaction<C>, ending: Ending): void {
    tx.ending = ending;
    clearTimeout(tx.timer);
    this.live.delete(tx);
    this.handles.delete(tx.id);
    const error = (): Error => this.ended(tx);
    for (const scope of tx.scopes) scope.lock.shut(error);
    tx.scopes.clear();
    tx.signalOver(error());
  }

  /** Rolls back every open transaction without a round trip and refuses new ones (close()). */
  closeAll(): void {
    this.isClosed = true;
    for (const tx of [...this.live]) {
      const connection = tx.connection;
      this.over(tx, 'closed');
      if (connection !== undefined) this.connections.abandon(connection);
    }
  }

  /** Runs a savepoint statement on the transaction's connection; a failure aborts it. */
  async control(tx: Transaction<C>, statement: string): Promise<void> {
    tx.inFlight += 1;
    try {
      await this.connections.control(tx.connection as C, statement);
    } catch (error) {
      if (tx.ending === undefined) tx.aborted = true;
      throw error;
    } finally {
      tx.inFlight -= 1;
    }
  }

  /** Ends a nested scope: its later statements fail instead of running in its parent. */
  closeScope(scope: Scope<C>): void {
    scope.tx.scopes.delete(scope);
    scope.lock.shut(nestedEndedError);
  }

  /** Throws when the scope's transaction has ended or can only be rolled back. */
  checkUsable(scope: Scope<C>): void {
    const { tx } = scope;
    if (tx.ending !== undefined) throw this.ended(tx);
    if (tx.aborted) {
      throw new TransactionException(
        'A statement of this transaction failed, so it can only be rolled back; run a statement that may fail in a nested transaction() to recover from its failure',
      );
    }
  }

  /** `work`, or the transaction's end if that comes first: work that may never settle is left. */
  racing<R>(tx: Transaction<C>, work: Promise<R>): Promise<R> {
    return Promise.race([work, tx.over]);
  }

  /**
   * Ends a transaction past its time limit by giving up its connection, with no round trip: a
   * ROLLBACK could wait as long as a half-dead connection likes. PostgreSQL rolls back when the
   * client goes; SQLite's connection rolls back synchronously.
   */
  private expire(tx: Transaction<C>): void {
    const { connection } = tx;
    this.over(tx, 'timed out');
    if (connection !== undefined) this.connections.abandon(connection);
  }

  /** Ends a transaction without a round trip (given up, lost, closed): marked, then settled. */
  private over(tx: Transaction<C>, ending: Ending): void {
    this.markEnded(tx, ending);
    this.settle(tx);
  }

  /**
   * Starts the callbacks of the transaction's end, once, outside any transaction of this adapter
   * (they run after it, and a statement of theirs must not find it ended).
   */
  private settle(tx: Transaction<C>): void {
    if (tx.settling !== undefined) return;
    tx.settling = this.runCallbacks(takeCallbacks(tx), tx.ending === 'committed');
  }
}

/** For promises whose failure is seen elsewhere. */
export function noop(): void {}
