// One file on purpose: the manager is a state machine (open, nested, commit, end, expire, close,
// and the ambient transaction that tests pin) whose steps share private state and invariants that
// read best together; the passive state and its messages are in transaction-state.ts, the
// engines' side in transaction-connections.ts.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import type { TransactionHandle } from '../adapters/database-adapter.interface';
import { TransactionException, ValidationException } from '../exceptions';
import { durationProblem } from '../config/duration-option';
import { ConnectionLock } from './connection-lock';
import type { TransactionConnections } from './transaction-connections';
import {
  closedException,
  endedError,
  type Ending,
  type SavepointHandle,
  type Scope,
  Transaction,
} from './transaction-state';

type Command = 'COMMIT' | 'ROLLBACK';

/** How long a transaction may stay open when nothing else is configured: 30 s. */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 30_000;

/** Options of {@link TransactionManager}. */
export interface TransactionManagerOptions {
  /**
   * How long a transaction, of either form, may stay open after BEGIN before it is rolled back,
   * its connection given back and its later statements refused. Default is 30000 ms.
   */
  timeoutMs?: number;
}

/**
 * Runs the transactions of one SQL adapter, whatever the engine: scopes carried by
 * AsyncLocalStorage (owned by this instance, so two adapters never see each other's), savepoints
 * for nested calls, parent statements waiting for an open child, one time limit for both forms,
 * begin/commit/rollback handles, and the rule that a transaction in which a statement failed can
 * only be rolled back. How connections are had is the engine's {@link TransactionConnections}.
 */
export class TransactionManager<C> {
  private readonly storage = new AsyncLocalStorage<Scope<C> | undefined>();
  private readonly handles = new Map<number, Transaction<C>>();
  private readonly live = new Set<Transaction<C>>();
  /** Handles of beginTransaction() while the ambient transaction is open: its savepoints. */
  private readonly savepointHandles = new Map<number, Scope<C>>();
  /** The transaction of every flow without one of its own, while a test has one open. */
  private ambient?: Transaction<C>;
  private readonly logger = new Logger('TransactionManager');
  private readonly timeoutMs: number;
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly connections: TransactionConnections<C>,
    options: TransactionManagerOptions = {},
  ) {
    this.timeoutMs = checkTimeout(options.timeoutMs);
    // Node 20 starts tracking promise contexts on an AsyncLocalStorage's first use; promises made
    // before it carry none, and a first beginTransaction() would then leak its transaction into
    // the flow that awaited the one calling it. Using the storage now starts the tracking before
    // any flow can begin a transaction.
    this.storage.enterWith(undefined);
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
    if (scope === undefined) return this.connections.outside(step);
    if (!atomic && scope === this.ambient?.root) {
      return this.inScope(scope, (connection) => this.alone(scope.tx, connection as C, step), true);
    }
    return this.inScope(scope, step, atomic);
  }

  /** Runs `work` in a new transaction, or in a savepoint of the flow's open one. */
  async run<R>(work: () => Promise<R>): Promise<R> {
    const scope = this.current();
    if (scope !== undefined) return this.nested(scope, work);
    const tx = this.create('scope');
    await this.open(tx);
    let result: R;
    try {
      result = await this.racing(tx, this.storage.run(tx.root, work));
    } catch (error) {
      if (tx.ending === undefined) await this.end(tx, 'ROLLBACK', 'rolled back').catch(noop);
      throw error;
    }
    await this.commit(tx);
    return result;
  }

  /**
   * Opens a transaction the calling flow joins. Not `async` on purpose: the flow's context must be
   * entered in the caller's synchronous execution, or the caller would not see it.
   */
  begin(): Promise<TransactionHandle> {
    const refusal = this.beginRefusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    if (this.closed) return Promise.reject(closedException());
    if (this.ambient !== undefined) return this.beginSavepoint(this.ambient);
    const tx = this.create('handle');
    tx.opening = true;
    queueMicrotask(() => (tx.opening = false));
    this.storage.enterWith(tx.root);
    this.handles.set(tx.id, tx);
    return this.open(tx).then(() => Object.freeze({ id: tx.id }));
  }

  /** Commits or rolls back a transaction opened by {@link begin}: the given one, or the flow's. */
  finish(command: Command, handle?: TransactionHandle): Promise<void> {
    const scope = this.storage.getStore();
    const savepoint = handle
      ? this.savepointHandles.get(handle.id)
      : scope?.handle?.released === false
        ? scope
        : undefined;
    if (savepoint !== undefined) return this.finishSavepoint(command, savepoint, scope);
    const own = scope?.tx;
    const tx = handle
      ? (this.handles.get(handle.id) ?? (own?.id === handle.id ? own : undefined))
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
        this.storage.enterWith(undefined);
      }
    }
    if (tx.ending !== undefined) return Promise.reject(endedError(tx, this.timeoutMs));
    return command === 'COMMIT' ? this.commit(tx) : this.end(tx, 'ROLLBACK', 'rolled back');
  }

  /** Rolls back every open transaction without a round trip and refuses new ones (close()). */
  close(): void {
    this.closed = true;
    for (const tx of [...this.live]) {
      const connection = tx.connection;
      this.markEnded(tx, 'closed');
      if (connection !== undefined) this.connections.abandon(connection);
    }
  }

  /**
   * Opens the ambient transaction: until {@link rollbackAmbient}, it is the transaction of every
   * flow without one of its own. Their statements run in it, each in a savepoint of its own (a
   * failed one undoes only itself, as it would outside a transaction); their transactions and
   * handles become savepoints in it. It has no time limit: it lasts as long as the test.
   */
  async beginAmbient(): Promise<void> {
    if (this.ambient !== undefined) {
      throw new TransactionException(
        'A test transaction is already open on this adapter; roll it back first',
      );
    }
    const tx = this.create('ambient');
    this.ambient = tx;
    try {
      await this.open(tx);
    } catch (error) {
      if (this.ambient === tx) this.ambient = undefined;
      throw error;
    }
  }

  /**
   * Rolls the ambient transaction back, and flows without a transaction of their own run outside
   * any again. Throws when none is open, or when it ended before (its connection lost, the adapter
   * closed), saying why.
   */
  async rollbackAmbient(): Promise<void> {
    const tx = this.ambient;
    if (tx === undefined) {
      throw new TransactionException('No test transaction is open on this adapter to roll back');
    }
    this.ambient = undefined;
    tx.released = true;
    this.savepointHandles.clear();
    if (tx.ending !== undefined) throw endedError(tx, this.timeoutMs);
    await this.end(tx, 'ROLLBACK', 'rolled back');
  }

  /** The calling flow's scope while it can be used, else the ambient transaction's, if open. */
  private current(): Scope<C> | undefined {
    const scope = this.storage.getStore();
    if (scope !== undefined && !scope.tx.released && scope.handle?.released !== true) return scope;
    return this.ambient?.root;
  }

  /** Why the calling flow may not begin a transaction now, if it may not. */
  private beginRefusal(): TransactionException | undefined {
    const current = this.storage.getStore();
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

  /**
   * beginTransaction() inside the ambient transaction: a savepoint the calling flow joins, held
   * as a nested transaction() is until its handle ends it. Its scope is made and entered now,
   * synchronously, its lock held so the flow's statements wait for the SAVEPOINT.
   */
  private beginSavepoint(tx: Transaction<C>): Promise<TransactionHandle> {
    let decide!: (command: Command) => void;
    const decided = new Promise<Command>((resolve) => (decide = resolve));
    let opened!: () => void;
    const started = new Promise<void>((resolve) => (opened = resolve));
    const rolledBack = new TransactionException('The savepoint was rolled back by its handle');
    const handle: SavepointHandle = {
      id: this.nextId++,
      opening: true,
      released: false,
      end: (command) => {
        decide(command);
        return done.catch((error: unknown) => {
          if (error !== rolledBack) throw error;
        });
      },
    };
    const child = this.scope(tx, false, handle);
    child.lock.tryAcquire();
    const done = this.nested(
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
    this.storage.enterWith(child);
    this.savepointHandles.set(handle.id, child);
    return Promise.race([started, done]).then(
      () => Object.freeze({ id: handle.id }),
      (error: unknown) => {
        handle.released = true;
        this.savepointHandles.delete(handle.id);
        this.closeScope(child);
        throw error;
      },
    );
  }

  /** Commits or rolls back a savepoint handle of the ambient transaction. */
  private finishSavepoint(command: Command, child: Scope<C>, own?: Scope<C>): Promise<void> {
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
      this.storage.enterWith(undefined);
    }
    return handle.end(command);
  }

  private create(kind: Transaction<C>['kind']): Transaction<C> {
    const tx = new Transaction<C>(this.nextId++, kind);
    tx.root = this.scope(tx, true);
    return tx;
  }

  private scope(tx: Transaction<C>, isRoot: boolean, handle?: SavepointHandle): Scope<C> {
    const scope: Scope<C> = { tx, lock: new ConnectionLock(), isRoot, handle };
    tx.scopes.add(scope);
    return scope;
  }

  private open(tx: Transaction<C>): Promise<void> {
    if (this.closed) {
      this.markEnded(tx, 'closed');
      return Promise.reject(closedException());
    }
    this.live.add(tx);
    tx.ready = this.connections.begin().then(
      (connection) => {
        if (tx.ending !== undefined) {
          // Ended (closed, or rolled back by its handle) while BEGIN was on its way.
          this.connections.abandon(connection);
          throw endedError(tx, this.timeoutMs);
        }
        tx.connection = connection;
        // The ambient transaction lasts as long as its test, however long that is.
        if (tx.kind === 'ambient') return;
        tx.timer = setTimeout(() => this.expire(tx), this.timeoutMs);
        tx.timer.unref();
      },
      (error: unknown) => {
        tx.released = true;
        if (tx.ending === undefined) this.markEnded(tx, 'broken');
        throw error;
      },
    );
    return tx.ready;
  }

  private async inScope<R>(
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
        if (tx.ending !== undefined) {
          throw endedError(tx, this.timeoutMs, this.connections.mapError(error));
        }
        const lost = this.connections.lost(tx.connection as C);
        if (lost !== undefined) {
          // Its connection failed, or the engine ended it on its own: nothing of it may run as
          // autocommit now.
          this.markEnded(tx, lost === 'connection' ? 'lost' : 'broken');
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

  /** Runs `work` in a savepoint of `parent`'s transaction, in `child` (a new scope by default). */
  private async nested<R>(parent: Scope<C>, work: () => Promise<R>, made?: Scope<C>): Promise<R> {
    const { tx } = parent;
    if (!parent.lock.tryAcquire()) await parent.lock.acquire();
    try {
      this.checkUsable(parent);
      if (tx.connection === undefined) await tx.ready;
      // Names come from a counter, never from input.
      const name = `ndl_sp_${++tx.savepoints}`;
      await this.control(tx, `SAVEPOINT ${name}`);
      const child = made ?? this.scope(tx, false);
      try {
        const result = await this.racing(tx, this.storage.run(child, work));
        // Statements the work left running finish before the savepoint is released.
        if (!child.lock.tryAcquire()) await child.lock.acquire();
        if (tx.aborted) {
          throw new TransactionException(
            'The nested transaction was rolled back to its savepoint because a statement in it failed',
          );
        }
        this.closeScope(child);
        await this.control(tx, `RELEASE SAVEPOINT ${name}`);
        return result;
      } catch (error) {
        this.closeScope(child);
        if (tx.ending === undefined) await this.rollbackTo(tx, name);
        throw error;
      }
    } finally {
      parent.lock.release();
    }
  }

  /** COMMIT, once the root scope's running statement and open nested transaction are done. */
  private async commit(tx: Transaction<C>): Promise<void> {
    if (!tx.root.lock.tryAcquire()) await tx.root.lock.acquire();
    if (tx.aborted) {
      await this.end(tx, 'ROLLBACK', 'rolled back');
      throw new TransactionException(
        'The transaction was rolled back because a statement in it failed',
      );
    }
    try {
      await this.end(tx, 'COMMIT', 'committed');
    } catch (error) {
      tx.ending = 'rolled back';
      throw error;
    }
  }

  private async end(tx: Transaction<C>, command: 'COMMIT' | 'ROLLBACK', ending: Ending) {
    if (tx.ending !== undefined) throw endedError(tx, this.timeoutMs);
    this.markEnded(tx, ending);
    const connection = tx.connection;
    // Without a connection BEGIN is still on its way, and open() abandons it when it arrives.
    if (connection === undefined) return;
    if (command === 'ROLLBACK' && tx.inFlight > 0) this.connections.abandon(connection);
    else await this.connections.end(connection, command);
  }

  /** Marks the transaction over: every waiting or later statement of it fails. */
  private markEnded(tx: Transaction<C>, ending: Ending): void {
    tx.ending = ending;
    clearTimeout(tx.timer);
    this.live.delete(tx);
    this.handles.delete(tx.id);
    const error = (): Error => endedError(tx, this.timeoutMs);
    for (const scope of tx.scopes) scope.lock.shut(error);
    tx.scopes.clear();
    tx.signalOver(error());
  }

  /**
   * Ends a transaction past its time limit by giving up its connection, with no round trip: a
   * ROLLBACK could wait as long as a half-dead connection likes. PostgreSQL rolls back when the
   * client goes; SQLite's connection rolls back synchronously.
   */
  private expire(tx: Transaction<C>): void {
    if (tx.ending !== undefined) return;
    this.logger.warn(
      `A transaction was open longer than ${this.timeoutMs} ms (transactionTimeoutMs) and was rolled back`,
    );
    const { connection } = tx;
    this.markEnded(tx, 'timed out');
    if (connection !== undefined) this.connections.abandon(connection);
  }

  private async control(tx: Transaction<C>, statement: string): Promise<void> {
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

  /**
   * A statement of a flow in the ambient transaction, in a savepoint of its own: as outside a
   * transaction, its failure undoes only itself (PostgreSQL would otherwise refuse every later
   * statement of the test).
   */
  private async alone<R>(
    tx: Transaction<C>,
    connection: C,
    step: (connection: C | undefined) => R | Promise<R>,
  ): Promise<R> {
    const name = `ndl_sp_${++tx.savepoints}`;
    await this.connections.control(connection, `SAVEPOINT ${name}`);
    let result: R;
    try {
      result = await step(connection);
    } catch (error) {
      if (tx.ending === undefined && this.connections.lost(connection) === undefined) {
        await this.rollbackTo(tx, name);
      }
      throw error;
    }
    await this.connections.control(connection, `RELEASE SAVEPOINT ${name}`);
    return result;
  }

  /** Undoes a nested transaction; a transaction that cannot be brought back is ended. */
  private async rollbackTo(tx: Transaction<C>, name: string): Promise<void> {
    try {
      await this.connections.control(tx.connection as C, `ROLLBACK TO SAVEPOINT ${name}`);
      await this.connections.control(tx.connection as C, `RELEASE SAVEPOINT ${name}`);
      tx.aborted = false;
    } catch {
      await this.end(tx, 'ROLLBACK', 'broken').catch(noop);
    }
  }

  private closeScope(scope: Scope<C>): void {
    scope.tx.scopes.delete(scope);
    scope.lock.shut(
      () =>
        new TransactionException(
          'This statement belongs to a nested transaction that has already ended; await every call inside transaction()',
        ),
    );
  }

  private checkUsable(scope: Scope<C>): void {
    const { tx } = scope;
    if (tx.ending !== undefined) throw endedError(tx, this.timeoutMs);
    if (tx.aborted) {
      throw new TransactionException(
        'A statement of this transaction failed, so it can only be rolled back; run a statement that may fail in a nested transaction() to recover from its failure',
      );
    }
  }

  private racing<R>(tx: Transaction<C>, work: Promise<R>): Promise<R> {
    return Promise.race([work, tx.over]);
  }
}

function checkTimeout(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined) return DEFAULT_TRANSACTION_TIMEOUT_MS;
  const problem = durationProblem(timeoutMs, 1);
  if (problem)
    throw new ValidationException(`transactionTimeoutMs ${problem}`, 'transactionTimeoutMs');
  return timeoutMs;
}

function noop(): void {}
