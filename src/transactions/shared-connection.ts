// How an engine with one connection (SQLite, PGlite) hands it to transactions: behind one lock
// held from BEGIN to the end, so another flow's statement never runs inside someone's transaction.
import type { DatabaseException } from '../exceptions';
import { TransactionException } from '../exceptions';
import type { PoolStats } from '../metrics/database-stats.interface';
import { ConnectionLock } from './connection-lock';
import type { TransactionConnections } from './transaction-connections';
import { closedException } from './transaction-state';

/** What {@link SharedConnection} needs to know of an engine's one connection. */
export interface SingleConnection<C> {
  readonly connection: C;
  /** BEGIN as the engine wants it (SQLite: `BEGIN IMMEDIATE`, to take its write lock at once). */
  readonly beginStatement: string;
  /**
   * Whether statements run synchronously (better-sqlite3): then nothing can come between a free
   * lock seen and the statement run, and a statement outside a transaction need not take it.
   */
  readonly synchronous: boolean;
  /** Runs a transaction-control statement. Errors are the engine's, unmapped. */
  exec(connection: C, statement: string): void | Promise<void>;
  /** Whether a transaction is open on the connection; undefined when the engine cannot tell. */
  inTransaction(connection: C): boolean | undefined;
  /** Whether the connection is gone for good. */
  isClosed(connection: C): boolean;
  /** The engine's error mapper. */
  mapError(error: unknown, operation: string): DatabaseException;
}

/**
 * The transaction connections of an engine with a single connection (SQLite, PGlite): a
 * first-come, first-served lock held by an open transaction from BEGIN to its end, so a statement
 * of another flow waits for it instead of running inside it (on one connection, a statement sent
 * while a transaction is open joins it).
 */
export class SharedConnection<C> implements TransactionConnections<C> {
  /** Held by an open transaction, by migrations, and by asynchronous statements outside both. */
  readonly lock = new ConnectionLock();
  readonly exclusive = true;
  private closed = false;

  constructor(private readonly engine: SingleConnection<C>) {}

  /**
   * The one connection as a pool of one, for metrics: busy while a transaction or a migration
   * holds it, with the flows queued for it waiting.
   */
  usage(): PoolStats {
    return { total: 1, idle: this.lock.isHeld ? 0 : 1, waiting: this.lock.waiting, max: 1 };
  }

  /** BEGIN once the lock is had. No isolation level: one transaction at a time is serializable. */
  async begin(): Promise<C> {
    await this.lock.acquire();
    const { connection } = this.engine;
    try {
      if (this.closed) throw closedException();
      await this.engine.exec(connection, this.engine.beginStatement);
    } catch (error) {
      this.lock.release();
      throw this.engine.mapError(error, 'beginTransaction');
    }
    return connection;
  }

  async control(connection: C, statement: string): Promise<void> {
    try {
      await this.engine.exec(connection, statement);
    } catch (error) {
      throw this.engine.mapError(error, 'transaction');
    }
  }

  async end(connection: C, command: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    try {
      // The engine may have rolled the transaction back on its own already (a full disk, say).
      if (command === 'ROLLBACK' && this.engine.inTransaction(connection) === false) return;
      await this.engine.exec(connection, command);
    } catch (error) {
      await this.rollbackQuietly(connection);
      throw new TransactionException(`${command} failed; the transaction was rolled back`, {
        cause: this.engine.mapError(error, command.toLowerCase()),
      });
    } finally {
      this.lock.release();
    }
  }

  /** Rolls back without waiting on a synchronous engine; either way the lock is given back. */
  abandon(connection: C): void {
    const release = () => this.lock.release();
    if (this.engine.isClosed(connection)) return release();
    const rolledBack = this.rollbackQuietly(connection);
    if (this.engine.synchronous) release();
    else void rolledBack.then(release);
  }

  lost(connection: C): 'connection' | 'engine' | undefined {
    if (this.engine.isClosed(connection)) return 'connection';
    return this.engine.inTransaction(connection) === false ? 'engine' : undefined;
  }

  mapError(error: unknown): DatabaseException {
    return this.engine.mapError(error, 'transaction');
  }

  outside<R>(step: (connection: undefined) => R | Promise<R>): R | Promise<R> {
    if (this.engine.synchronous && !this.lock.isHeld) return step(undefined);
    return this.lock.acquire().then(async () => {
      try {
        return await step(undefined);
      } finally {
        this.lock.release();
      }
    });
  }

  /** Fails every statement and transaction still waiting for the connection (close()). */
  close(): void {
    this.closed = true;
    this.lock.shut(closedException);
  }

  /** ROLLBACK where a transaction may still be open; a failure here changes nothing more. */
  private async rollbackQuietly(connection: C): Promise<void> {
    try {
      if (!this.engine.isClosed(connection) && this.engine.inTransaction(connection) !== false) {
        await this.engine.exec(connection, 'ROLLBACK');
      }
    } catch {
      // The connection is given up either way; the statement's own error is what the caller sees.
    }
  }
}
