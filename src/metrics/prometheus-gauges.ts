import type { CircuitState } from '../resilience/circuit-breaker';
import type { CacheStats, PoolStats } from './database-stats.interface';

/**
 * What the gauges read at each scrape. A figure that is unknown (no pool, no breaker, no cache,
 * migrations not checked) is undefined, and its metric then has no sample.
 */
export interface GaugeSource {
  /** The provider in use: every sample's `provider` label. */
  provider(): string;
  pool(): PoolStats | undefined;
  circuitState(): CircuitState | undefined;
  /** What the boot found: migrations not applied, and differences from the table definitions. */
  migrations(): { pending: number; drift: number } | undefined;
  cache(): CacheStats | undefined;
}

/**
 * The circuit state as a number, so it can be graphed and alerted on: 0 closed, 1 half-open,
 * 2 open (the worse, the higher).
 */
export const CIRCUIT_STATE_VALUES: Readonly<Record<CircuitState, number>> = {
  closed: 0,
  'half-open': 1,
  open: 2,
};

/** One metric read at scrape time: its name (after the prefix), help and how to read it. */
export interface ScrapedMetric {
  name: string;
  help: string;
  type: 'gauge' | 'counter';
  read(source: GaugeSource): number | undefined;
}

/** Every metric read at scrape time, in the order they are registered (docs/health-and-metrics.md). */
export const SCRAPED_METRICS: readonly ScrapedMetric[] = [
  {
    name: 'pool_connections',
    help: 'Connections open now (SQLite and PGlite: their one connection).',
    type: 'gauge',
    read: (source) => source.pool()?.total,
  },
  {
    name: 'pool_idle_connections',
    help: 'Open connections not in use (SQLite and PGlite: 0 while a transaction holds it).',
    type: 'gauge',
    read: (source) => source.pool()?.idle,
  },
  {
    name: 'pool_waiting_requests',
    help: 'Callers waiting for a connection.',
    type: 'gauge',
    read: (source) => source.pool()?.waiting,
  },
  {
    name: 'pool_max_connections',
    help: 'The most connections the pool may open.',
    type: 'gauge',
    read: (source) => source.pool()?.max,
  },
  {
    name: 'circuit_state',
    help: 'The circuit breaker: 0 closed, 1 half-open, 2 open (calls fail fast).',
    type: 'gauge',
    read: (source) => {
      const state = source.circuitState();
      return state === undefined ? undefined : CIRCUIT_STATE_VALUES[state];
    },
  },
  {
    name: 'migrations_pending',
    help: 'Migrations not applied, as found at boot.',
    type: 'gauge',
    read: (source) => source.migrations()?.pending,
  },
  {
    name: 'schema_drift_differences',
    help: 'Differences between the schema and the table definitions, as found at boot.',
    type: 'gauge',
    read: (source) => source.migrations()?.drift,
  },
  {
    name: 'cache_hits_total',
    help: 'Reads answered from the result cache.',
    type: 'counter',
    read: (source) => source.cache()?.hits,
  },
  {
    name: 'cache_misses_total',
    help: 'Cached reads that went to the database.',
    type: 'counter',
    read: (source) => source.cache()?.misses,
  },
];
