// The result cache as a layer around the contract: cached reads, invalidation by writes, and
// transactions whose writes invalidate at commit only.
import type {
  AdapterCapabilities,
  DatabaseProvider,
  IDatabaseAdapter,
  TransactionHandle,
} from '../adapters/database-adapter.interface';
import { sqlTag, type SqlTag } from '../adapters/raw-sql';
import { ValidationException } from '../exceptions';
import { forwardExtras } from '../observation/forward-extras';
import type { TableDefinition } from '../schema/table-definition';
import { checkWork } from '../query/operation-input';
import {
  checkTransactionOptions,
  type TransactionOptions,
} from '../transactions/transaction-options';
import { decodeResult, encodeResult } from './cache-codec';
import { entityBuilder } from './cached-entity';
import {
  CACHE_OPERATION_RULES,
  type CachedReadRule,
  type OperationRule,
  readKey,
  readsOtherTables,
  type RuledOperation,
  tableName,
} from './cache-operations';
import type { ResultCacheStats } from './cache-stats';
import type { CacheStore } from './cache-store.interface';
import { type CacheFrame, CacheFrames } from './cache-frames';
import { PendingWrites } from './pending-writes';
import { checkReadCache, MAX_CACHE_TTL_MS } from './read-cache-options';

/** Options of {@link CachedAdapter} / {@link withCache}. */
export interface CacheLayerOptions {
  /** Where results are kept: a {@link MemoryCacheStore} or a {@link RedisCacheStore}. Closed with the layer. */
  store: CacheStore;
  /** The time-to-live of a cached read that names none (`cache: true`). Default is 60000. */
  defaultTtlMs?: number;
}

/** Default of {@link CacheLayerOptions.defaultTtlMs}. */
export const DEFAULT_CACHE_TTL_MS = 60_000;

type Call = (...args: unknown[]) => Promise<unknown>;

// CachedAdapter implements IDatabaseAdapter through this merged interface: the contract's table
// operations are defined per instance from CACHE_OPERATION_RULES (cache-operations.ts), so a new
// contract method needs only its line there (typecheck fails until it has one).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface CachedAdapter extends IDatabaseAdapter {}

/**
 * A layer that serves reads from a cache when they ask for it (`cache: { ttlMs, key? }` in their
 * options, or a repository's `cacheReads`), and keeps the cache from ever serving a result older
 * than a write made through the library:
 *
 * - A write outside a transaction invalidates its table once it has run, before it resolves;
 *   while it runs, reads of that table on this layer go to the database.
 * - Writes in a transaction invalidate their tables when it commits, before `transaction()` or
 *   `commitTransaction()` resolves; a rollback invalidates nothing.
 * - Reads inside a transaction never use the cache: they must see the transaction's own writes.
 * - Entries are stored under their table's version as it was before the database read (see
 *   {@link CacheStore}), so a read that overlaps a write never stores a result the write made old.
 *
 * Hits are decoded from stored text: each is a fresh copy, typed as the adapter returned it.
 *
 * @example
 * const adapter = withCache(sqlite, { store: new MemoryCacheStore({ maxEntries: 5000 }) });
 * await adapter.findMany({ filters: { role: 'admin' }, cache: { ttlMs: 30_000 } }, usersTable);
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class CachedAdapter {
  private readonly store: CacheStore;
  private readonly defaultTtlMs: number;
  private readonly frames = new CacheFrames();
  /** Writes that may be visible to other flows and are not invalidated yet. */
  private readonly unsettled = new Set<PendingWrites>();
  private readonly counters = { hits: 0, misses: 0, bypassed: 0, invalidations: 0 };
  /** Raw SQL through this layer's own runSql, so it invalidates like any write. */
  readonly sql: SqlTag = sqlTag(this);

  constructor(
    /** The wrapped adapter. */
    readonly inner: IDatabaseAdapter,
    options: CacheLayerOptions,
  ) {
    this.store = options.store;
    const ttl = options.defaultTtlMs ?? DEFAULT_CACHE_TTL_MS;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_CACHE_TTL_MS) {
      throw new ValidationException(
        `defaultTtlMs must be an integer from 1 to ${MAX_CACHE_TTL_MS} (milliseconds)`,
        'defaultTtlMs',
      );
    }
    this.defaultTtlMs = ttl;
    const own = this as unknown as Record<string, Call>;
    const methods = inner as unknown as Record<string, Call>;
    for (const [name, rule] of Object.entries(CACHE_OPERATION_RULES) as [
      RuledOperation,
      OperationRule,
    ][]) {
      own[name] = this.layered(name, rule, methods[name].bind(inner));
    }
    forwardExtras(this, inner);
  }

  get provider(): DatabaseProvider {
    return this.inner.provider;
  }

  get capabilities(): AdapterCapabilities {
    return this.inner.capabilities;
  }

  /** The cache's counters and hit rate, for metrics and health. */
  cacheStats(): ResultCacheStats {
    const { hits, misses } = this.counters;
    const store = this.store.stats();
    return {
      store: store.kind,
      available: store.available,
      ...this.counters,
      evictions: store.evictions,
      hitRate: hits + misses === 0 ? 0 : hits / (hits + misses),
    };
  }

  /**
   * Makes the cached reads of these tables (by definition or name), or of every table when none
   * is given, unreachable on every instance sharing the store: for writes the library did not
   * make (another program, raw SQL, a restored backup, a rolled-back test transaction).
   */
  invalidateCache(tables?: readonly (TableDefinition<any> | string)[]): Promise<void> {
    const writes = new PendingWrites();
    writes.add(tables?.map((table) => (typeof table === 'string' ? table : table.name)));
    return this.invalidate(writes);
  }

  /**
   * Runs `work` in a transaction of the wrapped adapter. One that starts a transaction (not one
   * joining the flow's) invalidates the tables its work wrote once it commits, before it
   * resolves; when `work` throws, nothing is invalidated. A joined (nested) call's writes belong
   * to the transaction it joined, even when its savepoint is rolled back: they are invalidated
   * with it, which costs cache entries, never correctness.
   */
  async transaction<R>(work: () => Promise<R>, options?: TransactionOptions): Promise<R> {
    checkWork(work);
    const { propagation } = checkTransactionOptions(options);
    const inFrame = this.frames.current() !== undefined;
    if (!(propagation === 'REQUIRES_NEW' || (propagation === 'REQUIRED' && !inFrame))) {
      // It joins the flow's transaction, or runs without one: its writes are classified as they run.
      return this.inner.transaction(work, options);
    }
    const frame = this.frames.start();
    const framed = () =>
      this.frames.run(frame, async () => {
        const result = await work();
        this.beginCommit(frame);
        return result;
      });
    try {
      return await this.inner.transaction(framed, options);
    } finally {
      this.frames.end(frame);
      await this.settle(frame);
    }
  }

  /**
   * Opens a transaction the calling context joins, as the wrapped adapter's does (not `async`:
   * the context must be entered synchronously).
   */
  beginTransaction(): Promise<TransactionHandle> {
    const frame = this.frames.enter();
    // Inside transaction(): the wrapped adapter refuses it, and the context stays as it is.
    if (frame === undefined) return this.inner.beginTransaction();
    // The executor runs now, in this context; a synchronous throw becomes a rejection.
    const pending = new Promise<TransactionHandle>((resolve) =>
      resolve(this.inner.beginTransaction()),
    );
    return pending.then(
      (handle) => {
        this.frames.begun(frame, handle);
        return handle;
      },
      (error: unknown) => {
        this.frames.end(frame);
        throw error;
      },
    );
  }

  /**
   * Commits through the wrapped adapter, then invalidates the tables the transaction wrote, before
   * resolving; a failed COMMIT invalidates them too (its outcome is not known).
   */
  commitTransaction(handle?: TransactionHandle): Promise<void> {
    const frame = this.frames.ofHandle(handle);
    if (frame !== undefined) this.beginCommit(frame);
    const committed = this.inner.commitTransaction(handle);
    if (frame === undefined) return committed;
    return committed.finally(() => {
      this.frames.end(frame);
      return this.settle(frame);
    });
  }

  /** Rolls back through the wrapped adapter; nothing is invalidated. */
  rollbackTransaction(handle?: TransactionHandle): Promise<void> {
    const frame = this.frames.ofHandle(handle);
    const rolledBack = this.inner.rollbackTransaction(handle);
    if (frame === undefined) return rolledBack;
    return rolledBack.finally(() => this.frames.end(frame));
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  /** Closes the wrapped adapter, then the store. */
  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      await this.store.close();
    }
  }

  /** One operation of the table, wrapped as its rule says. */
  private layered(operation: string, rule: OperationRule, call: Call): Call {
    switch (rule.kind) {
      case 'read':
        return (...args) => this.read(operation, rule, call, args);
      case 'write':
        return (...args) => this.write([tableName(args[rule.tableAt])], call, args);
      case 'write-every-table':
        return (...args) => this.write(undefined, call, args);
      default:
        return call;
    }
  }

  private async read(
    operation: string,
    rule: CachedReadRule,
    call: Call,
    args: unknown[],
  ): Promise<unknown> {
    const options = args[rule.optionsAt] as { cache?: unknown } | undefined;
    const cache = checkReadCache(options?.cache, this.defaultTtlMs);
    if (cache === undefined) return call(...args);
    const table = tableName(args[rule.tableAt]);
    const key = cache.key === undefined ? readKey(rule, args) : `k:${cache.key}`;
    if (
      key === undefined ||
      table === '' ||
      readsOtherTables(rule, args) ||
      this.frames.current() !== undefined ||
      this.isUnsettled(table)
    ) {
      this.counters.bypassed += 1;
      return call(...args);
    }
    const entryKey = `${operation}:${key}`;
    const found = await this.store.lookup(table, entryKey);
    if (found === undefined) {
      this.counters.bypassed += 1;
      return call(...args);
    }
    if (found.text !== undefined) {
      this.counters.hits += 1;
      return decodeResult(found.text, entityBuilder(args[rule.tableAt] as TableDefinition<any>));
    }
    this.counters.misses += 1;
    const result = await call(...args);
    // Not awaited: the caller need not wait for the store, and a late entry is stamped as of
    // the lookup, so a write that came after it leaves the entry unreachable.
    void this.store.store(table, entryKey, found.stamp, encodeResult(result), cache.ttlMs);
    return result;
  }

  /** A write: in a transaction, noted for its commit; else invalidated once it has run. */
  private async write(tables: string[] | undefined, call: Call, args: unknown[]): Promise<unknown> {
    const frame = this.frames.current();
    if (frame !== undefined) {
      frame.writes.add(tables);
      return call(...args);
    }
    const writes = new PendingWrites();
    writes.add(tables);
    this.unsettled.add(writes);
    try {
      return await call(...args);
    } finally {
      // Whatever the outcome: a write that failed late (its answer lost) may have happened.
      await this.invalidate(writes);
      this.unsettled.delete(writes);
    }
  }

  /** The transaction's work is done: its writes may become visible from now on. */
  private beginCommit(frame: CacheFrame): void {
    if (frame.writes.isEmpty || frame.committing) return;
    frame.committing = true;
    this.unsettled.add(frame.writes);
  }

  /** After a transaction's end: invalidates its writes if it may have committed them. */
  private async settle(frame: CacheFrame): Promise<void> {
    if (!frame.committing) return;
    try {
      await this.invalidate(frame.writes);
    } finally {
      this.unsettled.delete(frame.writes);
    }
  }

  private invalidate(writes: PendingWrites): Promise<void> {
    this.counters.invalidations += 1;
    return this.store.invalidate(writes.toInvalidate());
  }

  private isUnsettled(table: string): boolean {
    for (const writes of this.unsettled) if (writes.covers(table)) return true;
    return false;
  }
}

/**
 * Wraps an adapter with the result cache; see {@link CachedAdapter}.
 *
 * @example
 * const adapter = withCache(postgres, { store: await RedisCacheStore.open({ url }) });
 */
export function withCache(adapter: IDatabaseAdapter, options: CacheLayerOptions): CachedAdapter {
  return new CachedAdapter(adapter, options);
}
