// The transaction manager's public face: which transaction a calling flow is in, and the two
// forms (transaction(work), begin/commit/rollback handles) with their rules. The steps it is made
// of are in transaction-lifecycle.ts (a transaction's life), savepoints.ts (nested transactions),
// ambient-transaction.ts (the transaction tests pin) and transaction-time-limit.ts.
import type { TransactionHandle } from '../adapters/database-adapter.interface';
import { TransactionException } from '../exceptions';
import { AmbientTransaction } from './ambient-transaction';
import { Savepoints } from './savepoints';
import type { TransactionConnections } from './transaction-connections';
import { type Command, noop, TransactionLifecycle } from './transaction-lifecycle';
import { closedException, type Scope } from './transaction-state';
import { TimeLimit, type TransactionManagerOptions } from './transaction-time-limit';

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

  /** Runs `work` in a new transaction, or in a savepoint of the flow's open one. */
  async run<R>(work: () => Promise<R>): Promise<R> {
    const scope = this.current();
    if (scope !== undefined) return this.savepoints.nested(scope, work);
    const { life } = this;
    const tx = life.create('scope');
    await life.open(tx);
    let result: R;
    try {
      result = await life.racing(tx, life.storage.run(tx.root, work));
    } catch (error) {
      if (tx.ending === undefined) await life.end(tx, 'ROLLBACK', 'rolled back').catch(noop);
      throw error;
    }
    await life.commit(tx);
    return result;
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
    life.storage.enterWith(tx.root);
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
    if (tx.ending !== undefined) return Promise.reject(life.ended(tx));
    return command === 'COMMIT' ? life.commit(tx) : life.end(tx, 'ROLLBACK', 'rolled back');
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
    const scope = this.life.storage.getStore();
    if (scope !== undefined && !scope.tx.released && scope.handle?.released !== true) return scope;
    return this.ambient.root;
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
