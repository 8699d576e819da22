// The transaction manager's public face: which transaction a calling flow is in, and the two
// forms (transaction(work), begin/commit/rollback handles) with their rules. The steps it is made
// of are in transaction-lifecycle.ts (a transaction's life), savepoints.ts (nested transactions),
// ambient-transaction.ts (the transaction tests pin) and transaction-time-limit.ts.
import type { TransactionHandle } from '../adapters/database-adapter.interface';
import { type DatabaseException, TransactionException } from '../exceptions';
import { AmbientTransaction } from './ambient-transaction';
import { Savepoints } from './savepoints';
import type { TransactionConnections } from './transaction-connections';
import { type Command, noop, TransactionLifecycle } from './transaction-lifecycle';
import {
  type CheckedTransactionOptions,
  type IsolationLevel,
  isolationMeets,
} from './transaction-options';
import { closedException, type Scope, type Transaction } from './transaction-state';
import { TimeLimit, type TransactionManagerOptions } from './transaction-time-limit';

const REQUIRED: CheckedTransactionOptions = { propagation: 'REQUIRED' };

export {
  DEFAULT_TRANSACTION_TIMEOUT_MS,
  type TransactionManagerOptions,
} from './transaction-time-limit';

/**
 * Runs the transactions of one SQL adapter, whatever the engine: scopes carried by
 * AsyncLocalStorage (owned by this instance, so two adapters never see each other's), savepoints
 * for nested calls, parent statements waiting for an open child, one time limit for both forms,
 * begin/commit/rollback handles, and the rule that a transaction in which a statement failed can
 * only be rolled back. How connections are had is the engine's {@link TransactionConnections}.
 */
export class TransactionManager<C> {
  private readonly life: TransactionLifecycle<C>;
  private readonly savepoints: Savepoints<C>;
  private readonly ambient: AmbientTransaction<C>;

  constructor(connections: TransactionConnections<C>, options: TransactionManagerOptions = {}) {
    this.life = new TransactionLifecycle(connections, new TimeLimit(options.timeoutMs));
    this.savepoints = new Savepoints(this.life);
    this.ambient = new AmbientTransaction(this.life, this.savepoints);
  }

  /** Whether the calling flow is inside a transaction that can still run statements. */
  inTransaction(): boolean {
    const scope = this.current();
    return scope !== undefined && scope.tx.ending === undefined;
  }

  /**
   * Runs one database step for the calling flow: on its transaction's connection when it has one
   * (after the flow's running statement or open nested transaction), else outside any. A step that
   * fails inside a transaction aborts it, unless `atomic` says the step undid itself (a statement
   * wrapped in its own savepoint).
   */
  execute<R>(step: (connection: C | undefined) => R | Promise<R>, atomic = false): R | Promise<R> {
    const scope = this.current();
    if (scope === undefined) return this.life.connections.outside(step);
    if (!atomic && scope === this.ambient.root) {
      const { tx } = scope;
      return this.life.inScope(
        scope,
        (connection) => this.savepoints.alone(tx, connection as C, step),
        true,
      );
    }
    return this.life.inScope(scope, step, atomic);
  }

  /**
   * Runs `work` as `options.propagation` says (see {@link TransactionPropagation}): in a savepoint
   * of the flow's open transaction (the ambient one counts as none), in a new transaction, or
   * without one.
   */
  async run<R>(work: () => Promise<R>, options: CheckedTransactionOptions = REQUIRED): Promise<R> {
    const { propagation, isolation } = options;
    const own = this.own();
    switch (propagation) {
      case 'NEVER':
        if (own !== undefined) throw this.neverRefusal(own);
        return work();
      case 'SUPPORTS':
        return own === undefined ? work() : this.join(own, work, isolation);
      case 'MANDATORY':
        if (own === undefined) {
          throw new TransactionException(
            'This call needs a transaction (propagation MANDATORY) and none is open in this flow; start one around it',
          );
        }
        return this.join(own, work, isolation);
      case 'REQUIRES_NEW':
        if (own === undefined) return this.start(work, isolation);
        if (this.life.connections.exclusive || this.ambient.isOpen) throw this.requiresNewRefusal();
        return this.root(work, isolation);
      default:
        return own === undefined ? this.start(work, isolation) : this.join(own, work, isolation);
    }
  }

  /**
   * Opens a transaction the calling flow joins. Not `async` on purpose: the flow's context must be
   * entered in the caller's synchronous execution, or the caller would not see it.
   */
  begin(): Promise<TransactionHandle> {
    const refusal = this.beginRefusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    const { life } = this;
    if (life.closed) return Promise.reject(closedException());
    if (this.ambient.isOpen) return this.ambient.beginSavepoint();
    const tx = life.create('handle');
    tx.opening = true;
    queueMicrotask(() => (tx.opening = false));
    life.enterWith(tx.root);
    life.handles.set(tx.id, tx);
    return life.open(tx).then(() => Object.freeze({ id: tx.id }));
  }

  /** Commits or rolls back a transaction opened by {@link begin}: the given one, or the flow's. */
  finish(command: Command, handle?: TransactionHandle): Promise<void> {
    const { life } = this;
    const scope = life.storage.getStore();
    const savepoint = this.ambient.savepointOf(handle, scope);
    if (savepoint !== undefined) return this.ambient.finishSavepoint(command, savepoint, scope);
    const own = scope?.tx;
    const tx = handle
      ? (life.handles.get(handle.id) ?? (own?.id === handle.id ? own : undefined))
      : own;
    const verb = command === 'COMMIT' ? 'commit' : 'roll back';
    if (tx === undefined || tx.kind !== 'handle') {
      return Promise.reject(
        new TransactionException(
          handle
            ? `Transaction ${handle.id} is not open: nothing to ${verb}`
            : `No transaction opened by beginTransaction() in this flow to ${verb}`,
        ),
      );
    }
    if (scope !== undefined && scope.tx === tx) {
      if (!scope.isRoot) {
        return Promise.reject(
          new TransactionException(
            `Cannot ${verb} the transaction from inside a nested transaction(); let it finish first`,
          ),
        );
      }
      if (!tx.released) {
        // The flow lets go of its transaction, whatever the outcome: leave its context now,
        // synchronously, as begin() entered it.
        tx.released = true;
        life.storage.enterWith(undefined);
      }
    }
    if (tx.ending !== undefined) {
      const ended = life.ended(tx);
      return life.settled(tx).then(() => Promise.reject(ended));
    }
    const ending = command === 'COMMIT' ? life.commit(tx) : life.end(tx, 'ROLLBACK', 'rolled back');
    return ending.finally(() => life.settled(tx));
  }

  /** Rolls back every open transaction without a round trip and refuses new ones (close()). */
  close(): void {
    this.life.closeAll();
  }

  /**
   * Opens the ambient transaction: until {@link rollbackAmbient}, it is the transaction of every
   * flow without one of its own. Their statements run in it, each in a savepoint of its own (a
   * failed one undoes only itself, as it would outside a transaction); their transactions and
   * handles become savepoints in it. It has no time limit: it lasts as long as the test.
   */
  beginAmbient(): Promise<void> {
    return this.ambient.begin();
  }

  /**
   * Rolls the ambient transaction back, and flows without a transaction of their own run outside
   * any again. Throws when none is open, or when it ended before (its connection lost, the adapter
   * closed), saying why.
   */
  rollbackAmbient(): Promise<void> {
    return this.ambient.rollback();
  }

  /** The calling flow's scope while it can be used, else the ambient transaction's, if open. */
  private current(): Scope<C> | undefined {
    return this.own() ?? this.ambient.root;
  }

  /** The calling flow's own scope while it can be used: the ambient transaction is not one. */
  private own(): Scope<C> | undefined {
    const scope = this.life.storage.getStore();
    if (scope !== undefined && !scope.tx.released && scope.handle?.released !== true) return scope;
    return undefined;
  }

  /**
   * `work` as a new transaction of the app's: a savepoint of the ambient transaction while a test
   * has one open (its callbacks run at its end, as a transaction's would), else a new one.
   */
  private start<R>(work: () => Promise<R>, isolation?: IsolationLevel): Promise<R> {
    const ambient = this.ambient.root;
    return ambient === undefined
      ? this.root(work, isolation)
      : this.savepoints.nested(ambient, work);
  }

  /** `work` in a savepoint of the flow's transaction, which must be as strict as asked. */
  private join<R>(own: Scope<C>, work: () => Promise<R>, isolation?: IsolationLevel): Promise<R> {
    const has = this.isolationOf(own.tx);
    if (isolation !== undefined && !isolationMeets(has, isolation)) {
      return Promise.reject(
        new TransactionException(
          `This call asks for isolation '${isolation}' but would join a transaction running at '${has}'; start that transaction at '${isolation}', or use propagation REQUIRES_NEW`,
        ),
      );
    }
    return this.savepoints.nested(own, work);
  }

  /** `work` in a new top-level transaction on a connection of its own. */
  private async root<R>(work: () => Promise<R>, isolation?: IsolationLevel): Promise<R> {
    const { life } = this;
    const tx = life.create('scope');
    tx.isolation = isolation;
    await life.open(tx);
    let result: R;
    try {
      result = await life.racing(tx, life.enter(tx.root, work));
    } catch (error) {
      if (tx.ending === undefined) await life.end(tx, 'ROLLBACK', 'rolled back').catch(noop);
      await life.settled(tx);
      throw error;
    }
    try {
      await life.commit(tx);
    } finally {
      await life.settled(tx);
    }
    return result;
  }

  /**
   * The level a transaction gives: one at a time on a single connection, or in the test
   * transaction (everything on its one connection), is serializable; else what BEGIN asked for.
   */
  private isolationOf(tx: Transaction<C>): IsolationLevel {
    if (this.life.connections.exclusive || tx.kind === 'ambient') return 'serializable';
    return tx.isolation ?? 'read committed';
  }

  private neverRefusal(own: Scope<C>): DatabaseException {
    if (own.tx.ending !== undefined) return this.life.ended(own.tx);
    return new TransactionException(
      'This call must run outside a transaction (propagation NEVER), and this flow has one open; call it after the transaction ends (e.g. in afterCommit)',
    );
  }

  private requiresNewRefusal(): TransactionException {
    const why = this.ambient.isOpen
      ? 'the test transaction runs everything on one connection (test this code without rollbackEachTest)'
      : 'this adapter has a single connection (SQLite, PGlite), and the new transaction would wait forever for the one it suspends';
    return new TransactionException(
      `propagation REQUIRES_NEW inside an open transaction needs a second connection, and ${why}; use REQUIRED, or run it after the transaction ends (e.g. in afterCommit)`,
    );
  }

  /** Why the calling flow may not begin a transaction now, if it may not. */
  private beginRefusal(): TransactionException | undefined {
    const current = this.life.storage.getStore();
    if (current === undefined || current.tx.released || current.tx.ending !== undefined) return;
    const { handle } = current;
    if (handle?.released) return;
    if (handle === undefined && (current.tx.kind !== 'handle' || !current.isRoot)) {
      return new TransactionException(
        'beginTransaction() cannot run inside transaction(); nest transaction() for a savepoint',
      );
    }
    // Found in the same synchronous run that began it, the transaction belongs to a sibling
    // flow (flows started in one run share the context until their first await): this flow
    // gets its own. Any later, it is this flow's own.
    if (!(handle ?? current.tx).opening) {
      return new TransactionException(
        'This flow already has a transaction open from beginTransaction(); commit or roll it back first, or nest transaction() for a savepoint',
      );
    }
  }
}
