// What the cache layer needs of a store: entries under versioned keys, and the versions.

/** What a lookup found: the entry's text, if any, and the stamp a fresh result is stored under. */
export interface CacheLookup {
  /** The table's version (and the store's epoch) at the lookup. */
  readonly stamp: string;
  /** The stored result, or undefined on a miss. */
  readonly text: string | undefined;
}

/** A store's own counters, for {@link ResultCacheStats}. */
export interface CacheStoreStats {
  /** `memory` or `redis`. */
  readonly kind: string;
  /** Whether reads may use the store now (false during a Redis outage, until it is back). */
  readonly available: boolean;
  /** Entries dropped to make room (the in-process store); 0 where the server decides (Redis). */
  readonly evictions: number;
  /** Entries held now, where the store knows it cheaply (the in-process store). */
  readonly entries?: number;
}

/**
 * Where cached results live. Every entry is stored under its table's version at the time of the
 * lookup that preceded the database read (the stamp); a write bumps the version, so an entry
 * stored before it, or by a read that started before it, is never found again. Implementations
 * never throw: a failing store answers `undefined` (read uncached) and reports it.
 */
export interface CacheStore {
  /**
   * Looks up `key` of `table` under the table's current version. Undefined when the store cannot
   * vouch for the version now (Redis unreachable): the read goes to the database, uncached.
   */
  lookup(table: string, key: string): Promise<CacheLookup | undefined>;
  /** Stores `text` under `key` of `table` at `stamp` for `ttlMs`; a stale stamp may be ignored. */
  store(table: string, key: string, stamp: string, text: string, ttlMs: number): Promise<void>;
  /**
   * Makes every entry of these tables unreachable, or of every table when `tables` is undefined.
   * Settles once done (or once the failure is recorded so that no entry of before is served).
   */
  invalidate(tables: readonly string[] | undefined): Promise<void>;
  stats(): CacheStoreStats;
  /** Releases what the store opened; safe twice. */
  close(): Promise<void>;
}
