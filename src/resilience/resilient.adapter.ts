// Longer than most files on purpose: it is the one table of retry decisions, each method of the
// contract stating in a few lines its operation kind (read, write, idempotent write) and its size
// check; the machinery is in retry-policy.ts and circuit-breaker.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  AdapterCapabilities,
  BulkWriteOptions,
  ClaimOptions,
  DeleteManyOptions,
  DatabaseProvider,
  FindByIdOptions,
  FindOptions,
  ICursorPaginatedResult,
  IDatabaseAdapter,
  IFilterOptions,
  IPaginatedResult,
  TransactionHandle,
  UpdateOptions,
  UpsertOptions,
  UpsertResult,
} from '../adapters/database-adapter.interface';
import type { AggregateOptions, AggregateRow } from '../adapters/aggregate-options';
import {
  iterateRows,
  type IterateFindOptions,
  type IterateOptions,
} from '../adapters/iterate-rows';
import { sqlTag, type SqlQuery } from '../adapters/raw-sql';
import { forwardExtras } from '../observation/forward-extras';
import { LayerFrames } from '../transactions/layer-frames';
import { checkWork } from '../query/operation-input';
import {
  checkTransactionOptions,
  type TransactionOptions,
  type TransactionPropagation,
} from '../transactions/transaction-options';
import type {
  CreateInput,
  IBaseEntity,
  TableDefinition,
  UpdateInput,
} from '../schema/table-definition';
import {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitBreakerStats,
  type CircuitPermit,
  type CircuitState,
} from './circuit-breaker';
import {
  DEFAULT_INPUT_SIZE_LIMITS,
  filterSizeViolation,
  type InputSizeLimits,
  writeSizeViolation,
} from './input-size.guard';
import {
  classifyFailure,
  type FailureKind,
  type OperationKind,
  type RetryCounters,
  RetryPolicy,
  type RetryPolicyOptions,
} from './retry-policy';

/** One retry about to happen, for logs and metrics. */
export interface RetryEvent {
  /** The adapter method, e.g. `findMany` or `transaction`. */
  operation: string;
  kind: FailureKind;
  /** The retry's number for this call, from 1. */
  retry: number;
  delayMs: number;
  error: unknown;
}

/** Options of {@link ResilientAdapter} / {@link withResilience}. */
export interface ResilienceOptions {
  /** Retry limits and waits. Default is {@link RetryPolicy}'s defaults (3 / 2 / 3 as designed). */
  retry?: RetryPolicyOptions;
  /** Circuit breaker settings, or `false` for none. Default is a breaker with its defaults. */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Size limits on input, or `false` to leave them to the adapter. Default is {@link DEFAULT_INPUT_SIZE_LIMITS}. */
  inputLimits?: Partial<InputSizeLimits> | false;
  /** Called before each retry (logging, metrics). Default is none. */
  onRetry?: (event: RetryEvent) => void;
}

/** Counters and breaker state of a {@link ResilientAdapter}, for health checks and metrics. */
export interface ResilienceStats {
  /** `closed` when no breaker is configured. */
  circuitState: CircuitState;
  /** The breaker's counters; absent when no breaker is configured. */
  circuit?: CircuitBreakerStats;
  /** Retries made, by failure kind. */
  retries: { connection: number; timeout: number; transaction: number };
  /** Operations that still failed after retrying at least once. */
  exhausted: number;
}

/** The first row of a bulk input whose values are too large, as writeSizeViolation says. */
function rowsSizeViolation(data: unknown, limits: InputSizeLimits) {
  if (!Array.isArray(data)) return undefined;
  for (const row of data) {
    const tooLarge = writeSizeViolation(row, limits);
    if (tooLarge) return tooLarge;
  }
  return undefined;
}

/**
 * Wraps any adapter with the design's error recovery: retries by failure kind
 * ({@link RetryPolicy}), a {@link CircuitBreaker} over connection failures, and a size guard on
 * input. It implements {@link IDatabaseAdapter} itself, so repositories see no difference.
 *
 * - Reads are retried after connection failures and timeouts; an upsert after connection
 *   failures; other writes only when the error proves nothing was sent.
 * - `transaction(work)` is run again as a whole (work re-run) after a deadlock, serialization
 *   failure or SQLITE_BUSY; calls inside a transaction are never retried on their own.
 * - The success path costs one closure and a counter check per call.
 *
 * @example
 * const adapter = withResilience(await PostgresAdapter.open({ connectionString }), {
 *   circuitBreaker: { failureThreshold: 5, maxCooldownMs: 10_000 },
 * });
 */
export class ResilientAdapter implements IDatabaseAdapter {
  private readonly policy: RetryPolicy;
  private readonly breaker?: CircuitBreaker;
  private readonly limits?: InputSizeLimits;
  private readonly onRetry?: (event: RetryEvent) => void;
  /** The transactions this layer started; calls inside one run once (it is retried whole). */
  private readonly frames = new LayerFrames();
  private readonly retried = { connection: 0, timeout: 0, transaction: 0 };
  private exhausted = 0;
  /** Runs through this layer's `runSql`. */
  readonly sql = sqlTag(this);

  constructor(
    /** The wrapped adapter. */
    readonly inner: IDatabaseAdapter,
    options: ResilienceOptions = {},
  ) {
    this.policy = new RetryPolicy(options.retry);
    if (options.circuitBreaker !== false) {
      this.breaker = new CircuitBreaker(options.circuitBreaker);
    }
    if (options.inputLimits !== false) {
      this.limits = { ...DEFAULT_INPUT_SIZE_LIMITS, ...options.inputLimits };
    }
    this.onRetry = options.onRetry;
    forwardExtras(this, inner);
  }

  get provider(): DatabaseProvider {
    return this.inner.provider;
  }

  get capabilities(): AdapterCapabilities {
    return this.inner.capabilities;
  }

  /** The breaker's state now: `open` means calls fail fast. `closed` when there is no breaker. */
  get circuitState(): CircuitState {
    return this.breaker?.state ?? 'closed';
  }

  /** A snapshot of the breaker and the retry counters. */
  stats(): ResilienceStats {
    const stats: ResilienceStats = {
      circuitState: this.circuitState,
      retries: { ...this.retried },
      exhausted: this.exhausted,
    };
    if (this.breaker) stats.circuit = this.breaker.stats();
    return stats;
  }

  /** The same as {@link stats}, under the name layers forward (ResilienceStatsProvider). */
  resilienceStats(): ResilienceStats {
    return this.stats();
  }

  create<T extends IBaseEntity>(data: CreateInput<T>, table: TableDefinition<T>): Promise<T> {
    const tooLarge = this.limits && writeSizeViolation(data, this.limits);
    if (tooLarge) return Promise.reject(tooLarge);
    return this.execute('create', 'write', () => this.inner.create(data, table));
  }

  createMany<T extends IBaseEntity>(
    data: readonly CreateInput<T>[],
    table: TableDefinition<T>,
  ): Promise<T[]> {
    const tooLarge = this.limits && rowsSizeViolation(data, this.limits);
    if (tooLarge) return Promise.reject(tooLarge);
    return this.execute('createMany', 'write', () => this.inner.createMany(data, table));
  }

  upsert<T extends IBaseEntity>(
    data: CreateInput<T>,
    table: TableDefinition<T>,
    options: UpsertOptions<T>,
  ): Promise<UpsertResult<T>> {
    const tooLarge = this.limits && writeSizeViolation(data, this.limits);
    if (tooLarge) return Promise.reject(tooLarge);
    return this.execute('upsert', 'idempotent-write', () =>
      this.inner.upsert(data, table, options),
    );
  }

  /** As upsert: an idempotent write, every row or none on the SQL providers. */
  upsertMany<T extends IBaseEntity>(
    data: readonly CreateInput<T>[],
    table: TableDefinition<T>,
    options: UpsertOptions<T>,
  ): Promise<UpsertResult<T>[]> {
    const tooLarge = this.limits && rowsSizeViolation(data, this.limits);
    if (tooLarge) return Promise.reject(tooLarge);
    return this.execute('upsertMany', 'idempotent-write', () =>
      this.inner.upsertMany(data, table, options),
    );
  }

  findById<T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<T | null> {
    return this.execute('findById', 'read', () => this.inner.findById(id, table, options));
  }

  findByIds<T extends IBaseEntity>(
    ids: readonly string[],
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<T[]> {
    return this.execute('findByIds', 'read', () => this.inner.findByIds(ids, table, options));
  }

  findMany<T extends IBaseEntity>(options: FindOptions, table: TableDefinition<T>): Promise<T[]> {
    const tooLarge = this.limits && filterSizeViolation(options?.filters, this.limits);
    if (tooLarge) return Promise.reject(tooLarge);
    return this.execute('findMany', 'read', () => this.inner.findMany(options, table));
  }

  findPage<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<IPaginatedResult<T> | ICursorPaginatedResult<T>> {
    const tooLarge = this.limits && filterSizeViolation(options?.filters, this.limits);
    if (tooLarge) return Promise.reject(tooLarge);
    return this.execute('findPage', 'read', () => this.inner.findPage(options, table));
  }

  findFirst<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<T | null> {
    const tooLarge = this.limits && filterSizeViolation(options?.filters, this.limits);
    if (tooLarge) return Promise.reject(tooLarge);
    return this.execute('findFirst', 'read', () => this.inner.findFirst(options, table));
  }

  count<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<number> {
    const tooLarge = this.limits && filterSizeViolation(filters, this.limits);
    if (tooLarge) return Promise.reject(tooLarge);
    return this.execute('count', 'read', () => this.inner.count(filters, table, options));
  }

  exists<T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<boolean> {
    return this.execute('exists', 'read', () => this.inner.exists(id, table, options));
  }

  aggregate<T extends IBaseEntity, const O extends AggregateOptions<T>>(
    options: O,
    table: TableDefinition<T>,
  ): Promise<AggregateRow<T, O>[]> {
    const tooLarge = this.limits && filterSizeViolation(options?.filters, this.limits);
    if (tooLarge) return Promise.reject(tooLarge);
    return this.execute('aggregate', 'read', () => this.inner.aggregate(options, table));
  }

  /** Batches through this layer's findPage: each is a read, retried on its own from its cursor. */
  iterate<T extends IBaseEntity>(
    options: IterateFindOptions,
    table: TableDefinition<T>,
    iterateOptions?: IterateOptions,
  ): AsyncIterable<T> {
    return iterateRows(this, options, table, iterateOptions);
  }

  update<T extends IBaseEntity>(
    id: string,
    data: UpdateInput<T>,
    table: TableDefinition<T>,
    options?: UpdateOptions,
  ): Promise<T> {
    const tooLarge = this.limits && writeSizeViolation(data, this.limits);
    if (tooLarge) return Promise.reject(tooLarge);
    return this.execute('update', 'write', () => this.inner.update(id, data, table, options));
  }

  /**
   * Adds `by` to an integer property atomically. A write: retried only when it was never sent,
   * since running it twice would add twice.
   */
  increment<T extends IBaseEntity>(
    id: string,
    field: keyof T & string,
    by: number,
    table: TableDefinition<T>,
    data?: UpdateInput<T>,
  ): Promise<T> {
    const tooLarge = this.limits && writeSizeViolation(data, this.limits);
    if (tooLarge) return Promise.reject(tooLarge);
    return this.execute('increment', 'write', () =>
      this.inner.increment(id, field, by, table, data),
    );
  }

  /**
   * Claims rows. A write: retried only when it was never sent, since a claim that ran and whose
   * answer was lost holds its rows until their lease ends.
   */
  claim<T extends IBaseEntity>(options: ClaimOptions<T>, table: TableDefinition<T>): Promise<T[]> {
    const tooLarge =
      this.limits &&
      (filterSizeViolation(options?.filters, this.limits) ||
        writeSizeViolation(options?.set, this.limits));
    if (tooLarge) return Promise.reject(tooLarge);
    return this.execute('claim', 'write', () => this.inner.claim(options, table));
  }

  softDelete<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<void> {
    return this.execute('softDelete', 'write', () => this.inner.softDelete(id, table));
  }

  restore<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<T> {
    return this.execute('restore', 'write', () => this.inner.restore(id, table));
  }

  hardDelete<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<void> {
    return this.execute('hardDelete', 'write', () => this.inner.hardDelete(id, table));
  }

  /**
   * The bulk writes: writes, retried only when never sent (a count of rows changed cannot be told
   * apart from a repeat's, and `updateMany` with a filter on what it sets is not idempotent).
   */
  updateMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    data: UpdateInput<T>,
    table: TableDefinition<T>,
    options?: BulkWriteOptions,
  ): Promise<number> {
    return this.bulkWrite('updateMany', filters, data, () =>
      this.inner.updateMany(filters, data, table, options),
    );
  }

  softDeleteMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: BulkWriteOptions,
  ): Promise<number> {
    return this.bulkWrite('softDeleteMany', filters, undefined, () =>
      this.inner.softDeleteMany(filters, table, options),
    );
  }

  restoreMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: BulkWriteOptions,
  ): Promise<number> {
    return this.bulkWrite('restoreMany', filters, undefined, () =>
      this.inner.restoreMany(filters, table, options),
    );
  }

  deleteMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: DeleteManyOptions,
  ): Promise<number> {
    return this.bulkWrite('deleteMany', filters, undefined, () =>
      this.inner.deleteMany(filters, table, options),
    );
  }

  /** A bulk write after the size guard on its filters and data. */
  private bulkWrite(
    operation: string,
    filters: IFilterOptions | undefined,
    data: unknown,
    work: () => Promise<number>,
  ): Promise<number> {
    const tooLarge =
      this.limits &&
      (filterSizeViolation(filters, this.limits) ||
        (data !== undefined && writeSizeViolation(data, this.limits)));
    if (tooLarge) return Promise.reject(tooLarge);
    return this.execute(operation, 'write', work);
  }

  /** Raw SQL may write anything: a write, retried only when never sent. */
  runSql<Row = Record<string, unknown>>(
    query: SqlQuery,
    table?: TableDefinition<any>,
  ): Promise<Row[]> {
    return this.execute('runSql', 'write', () => this.inner.runSql<Row>(query, table));
  }

  /**
   * Runs `work` in a transaction of the wrapped adapter. When the database aborts it (deadlock,
   * serialization failure, SQLITE_BUSY) the whole transaction runs again, `work` included, so
   * `work` must be safe to run again: no side effects outside the database (put them in
   * afterCommit). A nested call is a savepoint of the outer transaction and is not retried on its
   * own; a REQUIRES_NEW one is a transaction of its own, retried as a whole.
   */
  async transaction<R>(work: () => Promise<R>, options?: TransactionOptions): Promise<R> {
    checkWork(work);
    if (!this.startsTransaction(checkTransactionOptions(options).propagation)) {
      return this.inner.transaction(work, options);
    }
    let counters: RetryCounters | undefined;
    for (;;) {
      const frame = this.frames.start();
      try {
        return await this.guarded(() =>
          this.inner.transaction(() => this.frames.run(frame, work), options),
        );
      } catch (error) {
        counters ??= { connection: 0, timeout: 0, transaction: 0 };
        await this.beforeRetry('transaction', 'transaction', error, counters);
      } finally {
        this.frames.end(frame);
      }
    }
  }

  /**
   * Whether a transaction() call starts a transaction of its own, retried as a whole: one that
   * joins the flow's, or runs without one, goes straight through (its calls retried on their own).
   */
  private startsTransaction(propagation: TransactionPropagation): boolean {
    if (propagation === 'REQUIRES_NEW') return true;
    if (propagation !== 'REQUIRED') return false;
    return this.frames.current() === undefined;
  }

  /**
   * Opens a transaction the calling context joins (not retried: the context must be entered
   * synchronously). Not `async`, for the same reason as the adapters' own.
   */
  beginTransaction(): Promise<TransactionHandle> {
    if (this.frames.inTransactionWork()) {
      // Inside transaction(): the wrapped adapter refuses it; the context must stay as it is.
      return this.inner.beginTransaction();
    }
    let permit: CircuitPermit | undefined;
    try {
      permit = this.breaker?.acquire();
    } catch (error) {
      return Promise.reject(error);
    }
    const frame = this.frames.enter()!;
    let pending: Promise<TransactionHandle>;
    try {
      pending = this.inner.beginTransaction();
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then(
      (handle) => {
        this.breaker?.onSuccess(permit);
        this.frames.begun(frame, handle);
        return handle;
      },
      (error: unknown) => {
        this.breaker?.onFailure(error, permit);
        this.frames.end(frame);
        throw error;
      },
    );
  }

  /** Commits through the wrapped adapter; never retried (a lost COMMIT has an unknown outcome). */
  commitTransaction(handle?: TransactionHandle): Promise<void> {
    return this.endTransaction(handle, this.inner.commitTransaction(handle));
  }

  /** Rolls back through the wrapped adapter; never retried. */
  rollbackTransaction(handle?: TransactionHandle): Promise<void> {
    return this.endTransaction(handle, this.inner.rollbackTransaction(handle));
  }

  /**
   * A single round trip, never retried: a health probe wants the truth now. It is the breaker's
   * probe ({@link CircuitBreaker.probe}): never failed fast, so health reports the database as it
   * is, and its success closes an open circuit at once rather than after the cool-down.
   */
  ping(): Promise<void> {
    return this.breaker ? this.breaker.probe(() => this.inner.ping()) : this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /**
   * Runs one operation: directly inside a transaction; otherwise through the breaker, retried as
   * the policy allows. The success path allocates nothing beyond the caller's closure.
   */
  private async execute<R>(
    operation: string,
    kind: OperationKind,
    call: () => Promise<R>,
  ): Promise<R> {
    // Calls inside a transaction run once: the transaction is retried as a whole, not its parts.
    if (this.frames.current() !== undefined) return call();
    let counters: RetryCounters | undefined;
    for (;;) {
      try {
        return await this.guarded(call);
      } catch (error) {
        counters ??= { connection: 0, timeout: 0, transaction: 0 };
        await this.beforeRetry(operation, kind, error, counters);
      }
    }
  }

  /**
   * One attempt through the breaker, when there is one. A half-open circuit is decided by a
   * ping first: the call itself (a slow report, a whole transaction) is never the trial.
   */
  private guarded<R>(call: () => Promise<R>): Promise<R> {
    return this.breaker ? this.breaker.run(call, this.trialPing) : call();
  }

  private readonly trialPing = (): Promise<void> => this.inner.ping();

  /** Waits before the next attempt, or rethrows `error` when there is to be none. */
  private async beforeRetry(
    operation: string,
    kind: OperationKind,
    error: unknown,
    counters: RetryCounters,
  ): Promise<void> {
    const delayMs = this.policy.retryDelay(error, kind, counters);
    if (delayMs === undefined) {
      if (counters.connection + counters.timeout + counters.transaction > 0) this.exhausted += 1;
      throw error;
    }
    const failure = classifyFailure(error) as Exclude<FailureKind, 'fatal'>;
    this.retried[failure] += 1;
    this.onRetry?.({ operation, kind: failure, retry: counters[failure], delayMs, error });
    if (delayMs > 0) await sleep(delayMs);
  }

  private endTransaction(
    handle: TransactionHandle | undefined,
    pending: Promise<void>,
  ): Promise<void> {
    const frame = this.frames.ofHandle(handle);
    if (!frame) return pending;
    // The transaction went through the breaker when it began: its end is reported, never refused.
    const reported = this.breaker ? this.breaker.probe(() => pending) : pending;
    return reported.finally(() => this.frames.end(frame));
  }
}

/**
 * Wraps an adapter with retries, a circuit breaker and input size limits; see
 * {@link ResilientAdapter}.
 */
export function withResilience(
  adapter: IDatabaseAdapter,
  options: ResilienceOptions = {},
): ResilientAdapter {
  return new ResilientAdapter(adapter, options);
}
