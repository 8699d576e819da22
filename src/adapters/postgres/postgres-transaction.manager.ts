import { AsyncLocalStorage } from 'node:async_hooks';
import type { Pool, PoolClient, QueryArrayConfig, QueryArrayResult } from 'pg';
import { TransactionException } from '../../exceptions';
import type { TransactionHandle } from '../database-adapter.interface';
import { isPostgresConnectionError, mapPostgresError } from './postgres-error.mapper';

/** A client checked out of the pool, with the error listener a checked-out client needs. */
export interface CheckedOutClient {
  readonly client: PoolClient;
  /** The connection-level error seen while checked out, if any. */
  readonly failure: () => unknown;
  /** Returns the client to the pool, or destroys it when its connection failed. Idempotent. */
  release(error?: unknown): void;
}

/**
 * Checks a client out of the pool. While it is checked out pg-pool listens for nothing, and an
 * unhandled `error` event (the server went away between two statements) would crash the process,
 * so a listener records the failure instead; release destroys such a client.
 */
export async function checkOut(pool: Pool): Promise<CheckedOutClient> {
  const client = await pool.connect();
  let failure: unknown;
  let released = false;
  const onError = (error: unknown): void => {
    failure = error;
  };
  client.on('error', onError);
  return {
    client,
    failure: () => failure,
    release(error?: unknown) {
      if (released) return;
      released = true;
      client.removeListener('error', onError);
      const broken = failure ?? (isPostgresConnectionError(error) ? error : undefined);
      client.release(broken === undefined ? undefined : toError(broken));
    },
  };
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** One open database transaction, bound to its own pooled client. */
export class PostgresTransaction {
  /** Set once COMMIT or ROLLBACK has been sent: later calls in its context use the pool. */
  done = false;
  private savepoints = 0;
  private checkedOut?: CheckedOutClient;

  constructor(
    readonly id: number,
    /** `handle`: opened by beginTransaction; `scope`: by transaction(work). */
    readonly kind: 'handle' | 'scope',
    /** Resolves once BEGIN has run. */
    readonly ready: Promise<CheckedOutClient>,
  ) {
    ready.then(
      (c) => (this.checkedOut = c),
      () => (this.done = true),
    );
  }

  /** Runs a statement on this transaction's client. Errors are the driver's, unmapped. */
  async query(config: QueryArrayConfig): Promise<QueryArrayResult> {
    const { client } = await this.ready;
    return client.query(config);
  }

  /** The next savepoint name; names come from a counter, never from input. */
  nextSavepoint(): string {
    this.savepoints += 1;
    return `ndl_sp_${this.savepoints}`;
  }

  /**
   * Ends the transaction with COMMIT or ROLLBACK and always releases the client. A COMMIT that the
   * server answers with ROLLBACK (a statement in the transaction failed and was caught) throws.
   */
  async finish(command: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    this.done = true;
    const checkedOut = await this.ready;
    let failure: unknown;
    try {
      const result = await checkedOut.client.query(command);
      if (command === 'COMMIT' && result.command === 'ROLLBACK') {
        throw new TransactionException(
          'The transaction was rolled back because a statement in it failed',
        );
      }
    } catch (error) {
      failure = error;
      throw mapPostgresError(error);
    } finally {
      checkedOut.release(failure);
    }
  }

  /** Releases the client without a round trip, destroying it (used when closing the adapter). */
  abandon(): void {
    this.done = true;
    this.checkedOut?.release(new Error('The adapter was closed with this transaction open'));
  }
}

/** What the async context carries: the transaction and the frame's savepoint queue. */
interface TransactionFrame {
  readonly tx: PostgresTransaction;
  /** Nested transaction() calls of one frame run one after another: savepoints form a stack. */
  queue: Promise<void>;
}

/**
 * Runs transactions for one adapter: each on its own pooled client, found again by repository
 * calls through an AsyncLocalStorage owned by this instance (never module-global), so two adapters
 * and concurrent transactions never see each other's.
 */
export class PostgresTransactionManager {
  private readonly storage = new AsyncLocalStorage<TransactionFrame | undefined>();
  private readonly handles = new Map<number, PostgresTransaction>();
  private nextId = 1;

  constructor(
    private readonly pool: Pool,
    private readonly beginStatement = 'BEGIN',
  ) {}

  /** The transaction the calling context has joined and not yet finished, if any. */
  current(): PostgresTransaction | undefined {
    const frame = this.storage.getStore();
    return frame && !frame.tx.done ? frame.tx : undefined;
  }

  /** Runs `work` in a transaction, or in a savepoint of the one the context has joined. */
  async run<R>(work: () => Promise<R>): Promise<R> {
    const frame = this.storage.getStore();
    if (frame && !frame.tx.done) return this.savepoint(frame, work);
    const tx = new PostgresTransaction(this.nextId++, 'scope', this.open());
    await tx.ready.catch((error: unknown) => {
      throw mapPostgresError(error);
    });
    let result: R;
    try {
      result = await this.storage.run({ tx, queue: Promise.resolve() }, work);
    } catch (error) {
      // The caller's error wins; a failed ROLLBACK has already destroyed the client.
      await tx.finish('ROLLBACK').catch(() => undefined);
      throw error;
    }
    await tx.finish('COMMIT');
    return result;
  }

  /**
   * Opens a transaction and makes the calling async context join it. The context is entered
   * before the first await, so the caller's code after `await beginTransaction()` sees it.
   */
  async beginTransaction(): Promise<TransactionHandle> {
    // Sibling flows started in one synchronous run share a context, so a transaction opened by an
    // earlier beginTransaction() may be in it: the new one simply takes its place, and each stays
    // reachable by its handle. Inside transaction(), nesting means a savepoint instead.
    if (this.current()?.kind === 'scope') {
      throw new TransactionException(
        'beginTransaction() cannot run inside transaction(); nest transaction() for a savepoint',
      );
    }
    const tx = new PostgresTransaction(this.nextId++, 'handle', this.open());
    this.storage.enterWith({ tx, queue: Promise.resolve() });
    this.handles.set(tx.id, tx);
    try {
      await tx.ready;
    } catch (error) {
      this.handles.delete(tx.id);
      throw mapPostgresError(error);
    }
    return Object.freeze({ id: tx.id });
  }

  /** Commits or rolls back a transaction opened by beginTransaction. */
  async end(command: 'COMMIT' | 'ROLLBACK', handle?: TransactionHandle): Promise<void> {
    const tx = handle ? this.handles.get(handle.id) : this.current();
    if (!tx || tx.kind !== 'handle' || tx.done) {
      const verb = command === 'COMMIT' ? 'commit' : 'roll back';
      throw new TransactionException(
        handle
          ? `Transaction ${handle.id} is not open: nothing to ${verb}`
          : `No transaction opened by beginTransaction() in this context to ${verb}`,
      );
    }
    this.handles.delete(tx.id);
    // Leave the context synchronously, as beginTransaction entered it.
    if (this.storage.getStore()?.tx === tx) this.storage.enterWith(undefined);
    await tx.finish(command);
  }

  /** Rolls back (by dropping the connection) every transaction still open; used by close(). */
  abandonAll(): void {
    for (const tx of this.handles.values()) tx.abandon();
    this.handles.clear();
  }

  private async open(): Promise<CheckedOutClient> {
    const checkedOut = await checkOut(this.pool);
    try {
      await checkedOut.client.query(this.beginStatement);
    } catch (error) {
      checkedOut.release(error);
      throw error;
    }
    return checkedOut;
  }

  private async savepoint<R>(frame: TransactionFrame, work: () => Promise<R>): Promise<R> {
    const previous = frame.queue;
    let unlock!: () => void;
    frame.queue = new Promise((resolve) => (unlock = resolve));
    await previous;
    const { tx } = frame;
    try {
      const name = tx.nextSavepoint();
      await tx.query({ text: `SAVEPOINT ${name}`, rowMode: 'array' }).catch((error: unknown) => {
        throw mapPostgresError(error);
      });
      let result: R;
      try {
        result = await this.storage.run({ tx, queue: Promise.resolve() }, work);
      } catch (error) {
        // If this fails too the outer transaction is broken and its next statement says so.
        await tx
          .query({ text: `ROLLBACK TO SAVEPOINT ${name}`, rowMode: 'array' })
          .catch(() => undefined);
        throw error;
      }
      await tx
        .query({ text: `RELEASE SAVEPOINT ${name}`, rowMode: 'array' })
        .catch((error: unknown) => {
          throw mapPostgresError(error);
        });
      return result;
    } finally {
      unlock();
    }
  }
}
