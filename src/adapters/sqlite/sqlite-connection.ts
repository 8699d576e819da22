import type Database from 'better-sqlite3';
import { ConnectionException, TransactionException } from '../../exceptions';
import { ConnectionLock } from '../../transactions/connection-lock';
import type { TransactionConnections } from '../../transactions/transaction-connections';
import { mapSqliteError } from './sqlite-error.mapper';

/**
 * SQLite's side of the shared transaction manager: one connection, behind a first-come,
 * first-served lock. A transaction holds the lock from BEGIN to its end, so a statement of another
 * flow waits for it instead of running inside it (better-sqlite3 runs everything on the one
 * connection, and a statement sent while a transaction is open joins it). Steps are synchronous.
 */
export class SqliteConnection implements TransactionConnections<Database.Database> {
  /** Held by an open transaction and by migrations. */
  readonly lock = new ConnectionLock();
  private closed = false;

  constructor(private readonly db: Database.Database) {}

  async begin(): Promise<Database.Database> {
    await this.lock.acquire();
    if (this.closed) {
      this.lock.release();
      throw closedException();
    }
    try {
      // IMMEDIATE takes the write lock now, so another process cannot make COMMIT fail with BUSY.
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      this.lock.release();
      throw mapSqliteError(error, { operation: 'beginTransaction' });
    }
    return this.db;
  }

  control(db: Database.Database, statement: string): void {
    try {
      db.exec(statement);
    } catch (error) {
      throw mapSqliteError(error, { operation: 'transaction' });
    }
  }

  async end(db: Database.Database, command: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    try {
      // SQLite may have rolled the transaction back on its own already (a full disk, say).
      if (command === 'ROLLBACK' && !db.inTransaction) return;
      db.exec(command);
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw new TransactionException(`${command} failed; the transaction was rolled back`, {
        cause: mapSqliteError(error, { operation: command.toLowerCase() }),
      });
    } finally {
      this.lock.release();
    }
  }

  abandon(db: Database.Database): void {
    try {
      if (db.open && db.inTransaction) db.exec('ROLLBACK');
    } finally {
      this.lock.release();
    }
  }

  lost(db: Database.Database): 'engine' | undefined {
    return db.inTransaction ? undefined : 'engine';
  }

  /** The steps are synchronous, so a free lock need not be taken: nothing can come between. */
  outside<R>(step: (connection: undefined) => R | Promise<R>): R | Promise<R> {
    if (!this.lock.isHeld) return step(undefined);
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
}

/** What a statement gets from an adapter that has been closed. */
export function closedException(): ConnectionException {
  return new ConnectionException('The SQLite adapter is closed', { retryable: false });
}
