/** The result cache's counters, from {@link CachedAdapter.cacheStats}: for metrics and health. */
export interface CacheStats {
  /** `memory` or `redis`. */
  store: string;
  /** Whether reads may use the store now; false during a Redis outage. */
  available: boolean;
  /** Reads answered from the cache. */
  hits: number;
  /** Cached reads that went to the database and stored their result. */
  misses: number;
  /**
   * Reads that asked for the cache but went to the database without it: inside a transaction,
   * while a write to their table was unsettled, or while the store was unavailable.
   */
  bypassed: number;
  /** Invalidations sent to the store (one per write outside a transaction, one per commit). */
  invalidations: number;
  /** Entries the in-process store dropped to make room; 0 on Redis (the server decides). */
  evictions: number;
  /** `hits / (hits + misses)`, from 0 to 1; 0 before any cached read. */
  hitRate: number;
}

/** An adapter or layer that reports cache counters: the cache layer, and layers around it. */
export interface CacheStatsSource {
  cacheStats(): CacheStats;
}

/** Whether `adapter` reports cache counters. */
export function hasCacheStats(adapter: unknown): adapter is CacheStatsSource {
  return typeof (adapter as Partial<CacheStatsSource> | null)?.cacheStats === 'function';
}
