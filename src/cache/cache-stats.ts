import type { CacheStats } from '../metrics/database-stats.interface';

/**
 * The result cache's counters, from {@link CachedAdapter.cacheStats}: the {@link CacheStats} that
 * metrics and health read, and more.
 */
export interface ResultCacheStats extends CacheStats {
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

/** An adapter or layer that reports the result cache's counters: the cache layer, and layers around it. */
export interface ResultCacheStatsSource {
  cacheStats(): ResultCacheStats;
}

/** Whether `adapter` reports cache counters. */
export function hasResultCacheStats(adapter: unknown): adapter is ResultCacheStatsSource {
  return typeof (adapter as Partial<ResultCacheStatsSource> | null)?.cacheStats === 'function';
}
