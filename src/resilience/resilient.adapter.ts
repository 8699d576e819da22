// The resilience layer: each table operation runs through execute() as its line in
// resilience-rules.ts says (retry kind, size check); transactions are retried whole. The
// machinery is in retry-policy.ts and circuit-breaker.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  AdapterCapabilities,
  DatabaseProvider,
  IDatabaseAdapter,
  TransactionHandle,
} from '../adapters/database-adapter.interface';
import {
  iterateRows,
  type IterateFindOptions,
  type IterateOptions,
} from '../adapters/iterate-rows';
import { sqlTag } from '../adapters/raw-sql';
import { forwardExtras } from '../observation/forward-extras';
import { LayerFrames } from '../transactions/layer-frames';
import { checkWork } from '../query/operation-input';
import {
  checkTransactionOptions,
  type TransactionOptions,
  type TransactionPropagation,
} from '../transactions/transaction-options';
import type { IBaseEntity, TableDefinition } from '../schema/table-definition';
import {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitBreakerStats,
  type CircuitPermit,
  type CircuitState,
} from './circuit-breaker';
import { DEFAULT_INPUT_SIZE_LIMITS, type InputSizeLimits } from './input-size.guard';
import { RESILIENCE_RULES, type ResilienceRule, type RuledOperation } from './resilience-rules';
import {
  classifyFailure,
  type FailureKind,
  type OperationKind,
  type RetryCounters,
  RetryPolicy,
  type RetryPolicyOptions,
} from './retry-policy';

type Call = (...args: unknown[]) => Promise<unknown>;

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
// ResilientAdapter implements IDatabaseAdapter through this merged interface: the contract's table
// operations are defined per instance from RESILIENCE_RULES (resilience-rules.ts), so a new
// contract method needs only its line there (typecheck fails until it has one).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface ResilientAdapter extends IDatabaseAdapter {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class ResilientAdapter {
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
    const own = this as unknown as Record<string, Call>;
    for (const [operation, rule] of Object.entries(RESILIENCE_RULES) as [
      RuledOperation,
      ResilienceRule,
    ][]) {
      own[operation] = (...args) => this.call(operation, rule, args);
    }
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

  /** Batches through this layer's findPage: each is a read, retried on its own from its cursor. */
  iterate<T extends IBaseEntity>(
    options: IterateFindOptions,
    table: TableDefinition<T>,
    iterateOptions?: IterateOptions,
  ): AsyncIterable<T> {
    return iterateRows(this, options, table, iterateOptions);
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

  /** One table operation: its size check, then {@link execute} on the wrapped adapter. */
  private call(operation: RuledOperation, rule: ResilienceRule, args: unknown[]): Promise<unknown> {
    const tooLarge = this.limits && rule.check?.(args, this.limits);
    if (tooLarge) return Promise.reject(tooLarge);
    // Looked up per call, as the wrapped adapter's own methods may be replaced (instrumented).
    const inner = this.inner as unknown as Record<string, Call>;
    return this.execute(operation, rule.kind, () => inner[operation](...args));
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
