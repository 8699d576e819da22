import type { ResilienceStats } from '../resilience/resilient.adapter';

/** Connection pool usage, as an adapter with a pool reports it. */
export interface PoolStats {
  /** Connections open now. */
  total: number;
  /** Open connections not in use. */
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
  /** The most connections the pool may open. */
  max: number;
}

/**
 * An optional adapter method: pool usage. Adapters with a connection pool MAY implement it;
 * {@link DatabaseMetricsService.collectStats} detects it at run time.
 */
export interface PoolStatsProvider {
  poolStats(): PoolStats;
}

/**
 * An optional adapter method: the number of rows of each table (live and soft-deleted), by
 * table name. Adapters MAY implement it; it may be approximate on large PostgreSQL tables.
 */
export interface TableStatsProvider {
  tableRowCounts(): Promise<Record<string, number>>;
}

/** Tells whether an adapter reports pool usage. */
export function hasPoolStats(adapter: object): adapter is PoolStatsProvider {
  return typeof (adapter as Partial<PoolStatsProvider>).poolStats === 'function';
}

/** Tells whether an adapter reports table row counts. */
export function hasTableStats(adapter: object): adapter is TableStatsProvider {
  return typeof (adapter as Partial<TableStatsProvider>).tableRowCounts === 'function';
}

/**
 * An optional adapter method: circuit breaker state and retry counters. The resilience layer
 * implements it, and every layer around it forwards it, so it is found whatever wraps it.
 */
export interface ResilienceStatsProvider {
  resilienceStats(): ResilienceStats;
}

/** Tells whether an adapter (or a layer around one) reports resilience figures. */
export function hasResilienceStats(adapter: object): adapter is ResilienceStatsProvider {
  return typeof (adapter as Partial<ResilienceStatsProvider>).resilienceStats === 'function';
}

/** Result cache figures since boot, as a cache layer reports them. */
export interface CacheStats {
  /** Reads answered from the cache. */
  hits: number;
  /** Cached reads that went to the database (absent, expired or invalidated entry). */
  misses: number;
  /** Where entries live, e.g. `memory` or `redis`. Default is unsaid. */
  backend?: string;
}

/**
 * An optional adapter method: result cache figures. A cache layer MAY implement it; the metrics
 * service exports it to Prometheus (`<prefix>cache_hits_total`, `<prefix>cache_misses_total`) and
 * the health report derives the hit rate from it. Layers around the cache forward it.
 */
export interface CacheStatsProvider {
  cacheStats(): CacheStats;
}

/** Tells whether an adapter (or a layer around one) reports cache figures. */
export function hasCacheStats(adapter: object): adapter is CacheStatsProvider {
  return typeof (adapter as Partial<CacheStatsProvider>).cacheStats === 'function';
}
