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
