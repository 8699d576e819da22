// Savepoints: a nested transaction() (SAVEPOINT, its work in a scope of its own, RELEASE or
// ROLLBACK TO, its afterCommit / afterRollback callbacks handed on), and the savepoint of its own that a statement gets in the ambient transaction.
// Names come from a per-transaction counter, never from input.
import { TransactionException } from '../exceptions';
import { savepointEnded } from './transaction-callbacks';
import { noop, type TransactionLifecycle } from './transaction-lifecycle';
import type { Scope, Transaction } from './transaction-state';

/** The savepoints of one manager's transactions. */
export class Savepoints<C> {
  constructor(private readonly life: TransactionLifecycle<C>) {}

  /**
   * Runs `work` in a savepoint of `parent`'s transaction, in `made` (a new scope by default). Its
   * callbacks then become the parent's, or run, when it was the app's outermost transaction.
   */
  async nested<R>(parent: Scope<C>, work: () => Promise<R>, made?: Scope<C>): Promise<R> {
    let child = made;
    let released = false;
    try {
      if (!parent.lock.tryAcquire()) await parent.lock.acquire();
      try {
        const { tx } = parent;
        this.life.checkUsable(parent);
        if (tx.connection === undefined) await tx.ready;
        const name = `ndl_sp_${++tx.savepoints}`;
        await this.life.control(tx, `SAVEPOINT ${name}`);
        child ??= this.life.scope(tx, false);
        const result = await this.inSavepoint(child, name, work);
        released = true;
        return result;
      } finally {
        parent.lock.release();
      }
    } finally {
      // After the parent's lock is given back: a callback's statements may need it.
      if (child !== undefined) {
        await this.life.runCallbacks(savepointEnded(child, parent, released), released);
      }
    }
  }

  /**
   * A savepoint set: `work` in `child`, then RELEASE, or ROLLBACK TO when it fails or leaves the
   * transaction aborted.
   */
  private async inSavepoint<R>(child: Scope<C>, name: string, work: () => Promise<R>): Promise<R> {
    const { life } = this;
    const { tx } = child;
    try {
      const result = await life.racing(tx, life.enter(child, work));
      // Statements the work left running finish before the savepoint is released.
      if (!child.lock.tryAcquire()) await child.lock.acquire();
      if (tx.aborted) {
        throw new TransactionException(
          'The nested transaction was rolled back to its savepoint because a statement in it failed',
        );
      }
      life.closeScope(child);
      await life.control(tx, `RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      life.closeScope(child);
      if (tx.ending === undefined) await this.rollbackTo(tx, name);
      throw error;
    }
  }

  /**
   * A statement of a flow in the ambient transaction, in a savepoint of its own: as outside a
   * transaction, its failure undoes only itself (PostgreSQL would otherwise refuse every later
   * statement of the test).
   */
  async alone<R>(
    tx: Transaction<C>,
    connection: C,
    step: (connection: C | undefined) => R | Promise<R>,
  ): Promise<R> {
    const { connections } = this.life;
    const name = `ndl_sp_${++tx.savepoints}`;
    await connections.control(connection, `SAVEPOINT ${name}`);
    let result: R;
    try {
      result = await step(connection);
    } catch (error) {
      if (tx.ending === undefined && connections.lost(connection) === undefined) {
        await this.rollbackTo(tx, name);
      }
      throw error;
    }
    await connections.control(connection, `RELEASE SAVEPOINT ${name}`);
    return result;
  }

  /** Undoes a nested transaction; a transaction that cannot be brought back is ended. */
  private async rollbackTo(tx: Transaction<C>, name: string): Promise<void> {
    const { connections } = this.life;
    try {
      await connections.control(tx.connection as C, `ROLLBACK TO SAVEPOINT ${name}`);
      await connections.control(tx.connection as C, `RELEASE SAVEPOINT ${name}`);
      tx.aborted = false;
    } catch {
      await this.life.end(tx, 'ROLLBACK', 'broken').catch(noop);
    }
  }
}
