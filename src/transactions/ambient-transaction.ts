// The ambient transaction that tests pin (rollbackEachTest): opening and rolling it back, and the
// beginTransaction() handles that become savepoints in it. Which flows run in it is decided by
// the manager (TransactionManager.current); how a statement runs in it, by Savepoints.alone.
import type { TransactionHandle } from '../adapters/database-adapter.interface';
import { TransactionException } from '../exceptions';
import type { Savepoints } from './savepoints';
import { type Command, noop, type TransactionLifecycle } from './transaction-lifecycle';
import type { SavepointHandle, Scope, Transaction } from './transaction-state';

/** The ambient transaction of one manager, while a test has it open. */
export class AmbientTransaction<C> {
  /** The transaction of every flow without one of its own, while a test has one open. */
  private tx?: Transaction<C>;
  /** Handles of beginTransaction() while the ambient transaction is open: its savepoints. */
  private readonly savepointHandles = new Map<number, Scope<C>>();

  constructor(
    private readonly life: TransactionLifecycle<C>,
    private readonly savepoints: Savepoints<C>,
  ) {}

  /** Whether a test has the ambient transaction open. */
  get isOpen(): boolean {
    return this.tx !== undefined;
  }

  /** The ambient transaction's root scope, while it is open. */
  get root(): Scope<C> | undefined {
    return this.tx?.root;
  }

  /**
   * Opens the ambient transaction: until {@link rollback}, it is the transaction of every flow
   * without one of its own. It has no time limit: it lasts as long as the test.
   */
  async begin(): Promise<void> {
    if (this.tx !== undefined) {
      throw new TransactionException(
        'A test transaction is already open on this adapter; roll it back first',
      );
    }
    const tx = this.life.create('ambient');
    this.tx = tx;
    try {
      await this.life.open(tx);
    } catch (error) {
      if (this.tx === tx) this.tx = undefined;
      throw error;
    }
  }

  /**
   * Rolls the ambient transaction back. Throws when none is open, or when it ended before (its
   * connection lost, the adapter closed), saying why.
   */
  async rollback(): Promise<void> {
    const { tx } = this;
    if (tx === undefined) {
      throw new TransactionException('No test transaction is open on this adapter to roll back');
    }
    this.tx = undefined;
    tx.released = true;
    this.savepointHandles.clear();
    if (tx.ending !== undefined) throw this.life.ended(tx);
    await this.life.end(tx, 'ROLLBACK', 'rolled back');
  }

  /**
   * The savepoint a commit or rollback is about: the handle's, else the calling flow's own
   * (`scope`) while it is an open savepoint handle.
   */
  savepointOf(
    handle: TransactionHandle | undefined,
    scope: Scope<C> | undefined,
  ): Scope<C> | undefined {
    if (handle) return this.savepointHandles.get(handle.id);
    return scope?.handle?.released === false ? scope : undefined;
  }

  /**
   * beginTransaction() inside the ambient transaction: a savepoint the calling flow joins, held
   * as a nested transaction() is until its handle ends it. Its scope is made and entered now,
   * synchronously, its lock held so the flow's statements wait for the SAVEPOINT.
   */
  beginSavepoint(): Promise<TransactionHandle> {
    const tx = this.tx!;
    const { life } = this;
    let decide!: (command: Command) => void;
    const decided = new Promise<Command>((resolve) => (decide = resolve));
    let opened!: () => void;
    const started = new Promise<void>((resolve) => (opened = resolve));
    const rolledBack = new TransactionException('The savepoint was rolled back by its handle');
    const handle: SavepointHandle = {
      id: life.nextId(),
      opening: true,
      released: false,
      end: (command) => {
        decide(command);
        return done.catch((error: unknown) => {
          if (error !== rolledBack) throw error;
        });
      },
    };
    const child = life.scope(tx, false, handle);
    child.lock.tryAcquire();
    const done = this.savepoints.nested(
      tx.root,
      async () => {
        child.lock.release();
        opened();
        if ((await decided) === 'ROLLBACK') throw rolledBack;
      },
      child,
    );
    done.catch(noop);
    queueMicrotask(() => (handle.opening = false));
    life.enterWith(child);
    this.savepointHandles.set(handle.id, child);
    return Promise.race([started, done]).then(
      () => Object.freeze({ id: handle.id }),
      (error: unknown) => {
        handle.released = true;
        this.savepointHandles.delete(handle.id);
        life.closeScope(child);
        throw error;
      },
    );
  }

  /** Commits or rolls back a savepoint handle of the ambient transaction. */
  finishSavepoint(command: Command, child: Scope<C>, own?: Scope<C>): Promise<void> {
    const handle = child.handle!;
    const verb = command === 'COMMIT' ? 'commit' : 'roll back';
    // A live nested scope of the ambient transaction while a handle holds its root is inside it.
    if (own !== undefined && own !== child && !own.isRoot && own.handle === undefined) {
      if (own.tx === child.tx && own.tx.scopes.has(own)) {
        return Promise.reject(
          new TransactionException(
            `Cannot ${verb} the transaction from inside a nested transaction(); let it finish first`,
          ),
        );
      }
    }
    this.savepointHandles.delete(handle.id);
    if (own === child) {
      handle.released = true;
      this.life.storage.enterWith(undefined);
    }
    return handle.end(command);
  }
}
