import type { ResilienceStats } from '../resilience/resilient.adapter';
import { Injectable, Logger, type LoggerService } from '@nestjs/common';
import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import type { QueryEvent, QueryObserver } from '../adapters/query-observer';
import type {
  PrometheusRegistryLike,
  ResolvedDatabaseConfig,
} from '../config/database-options.interface';
import { hasStorageStats } from '../health/storage-stats.interface';
import type { DatabaseConnection } from '../config/database-connection.interface';
import type { HealthCheckOutcome } from '../health/database-health.interface';
import {
  hasCacheStats,
  hasPoolStats,
  hasResilienceStats,
  hasTableStats,
  type CacheStats,
  type CacheStatsProvider,
  type PoolStats,
} from './database-stats.interface';
import type { GaugeSource } from './prometheus-gauges';
import { LatencyReservoir, type LatencyPercentiles } from './latency-reservoir';
import { PrometheusExporter } from './prometheus-exporter';

/** The settings {@link DatabaseMetricsService} needs. */
export type DatabaseMetricsSettings = ResolvedDatabaseConfig['metrics'];

/** Figures for one operation on one table. */
export interface OperationMetrics {
  operation: string;
  /** The table, or `''` for operations on no table. */
  table: string;
  count: number;
  errors: number;
  /** Failures by exception class name, e.g. `{ UniqueConstraintException: 2 }`. */
  errorsByClass: Record<string, number>;
  /** Percentiles of the latest durations, in milliseconds. */
  latencyMs: LatencyPercentiles;
}

/** What {@link DatabaseMetricsService.snapshot} returns. */
export interface DatabaseMetricsSnapshot {
  /** When counting started (boot or the last reset), ISO-8601. */
  since: string;
  totalQueries: number;
  totalErrors: number;
  /** Operations that took longer than `slowQueryThresholdMs`. */
  slowQueries: number;
  slowQueryThresholdMs: number;
  operations: OperationMetrics[];
}

/** Figures read from the database on request; a figure the adapter cannot report is absent. */
export interface DatabaseStats {
  pool?: PoolStats;
  tableRowCounts?: Record<string, number>;
  databaseBytes?: number;
  /** Circuit breaker state and retry counters, when resilience is on. */
  resilience?: ResilienceStats;
  /** Result cache hits and misses, when a cache reports them. */
  cache?: CacheStats;
}

class OperationCounter {
  count = 0;
  errors = 0;
  readonly errorsByClass = new Map<string, number>();
  readonly latency: LatencyReservoir;

  constructor(
    readonly operation: string,
    readonly table: string,
    reservoirSize: number,
  ) {
    this.latency = new LatencyReservoir(reservoirSize);
  }
}

/**
 * Counts every adapter operation: per operation and table the number of calls, failures by
 * exception class and latency percentiles (bounded memory: a fixed ring of recent durations per
 * key), logs slow queries, and mirrors it all to Prometheus when prom-client is installed.
 *
 * It is the {@link QueryObserver} the module hands to the adapter.
 */
@Injectable()
export class DatabaseMetricsService implements QueryObserver {
  readonly wantsStatements = false;
  private readonly counters = new Map<string, OperationCounter>();
  private readonly prometheus: PrometheusExporter | undefined;
  private since = new Date();
  private totalQueries = 0;
  private totalErrors = 0;
  private slowQueries = 0;
  private adapter: IDatabaseAdapter | undefined;
  private migrations: HealthCheckOutcome | undefined;
  private cacheSource: CacheStatsProvider | undefined;

  constructor(
    private readonly settings: DatabaseMetricsSettings,
    private readonly logger: LoggerService = new Logger('DatabaseMetrics'),
  ) {
    this.prometheus = PrometheusExporter.create(
      settings.prometheus,
      settings.prometheusPrefix,
      this.gaugeSource(),
    );
  }

  /** The Prometheus registry the metrics are on; undefined without prom-client or when turned off. */
  get prometheusRegistry(): PrometheusRegistryLike | undefined {
    return this.prometheus?.registry;
  }

  /**
   * Tells the service which adapter {@link collectStats} asks; the module calls it once the
   * adapter is open (the adapter needs this observer first, so it cannot be injected).
   * @internal
   */
  bindAdapter(adapter: IDatabaseAdapter): void {
    this.adapter = adapter;
  }

  /**
   * As {@link bindAdapter}, with what the boot found of migrations (for the
   * `migrations_pending` and `schema_drift_differences` gauges).
   * @internal
   */
  bindConnection(connection: Pick<DatabaseConnection, 'adapter' | 'migrations'>): void {
    this.adapter = connection.adapter;
    this.migrations = connection.migrations;
  }

  /**
   * Where cache figures come from when the cache is not a layer of the adapter: by default they
   * are read from the adapter's optional `cacheStats()` ({@link CacheStatsProvider}), which
   * every layer forwards. `undefined` goes back to that default.
   */
  useCacheStats(source: CacheStatsProvider | undefined): void {
    this.cacheSource = source;
  }

  /** The result cache's hits and misses since boot; undefined without a cache. */
  cacheStats(): CacheStats | undefined {
    const source =
      this.cacheSource ?? (this.adapter && hasCacheStats(this.adapter) ? this.adapter : undefined);
    return source?.cacheStats();
  }

  /** What the Prometheus gauges read at each scrape, from the bound adapter and connection. */
  private gaugeSource(): GaugeSource {
    return {
      provider: () => this.adapter?.provider ?? '',
      pool: () =>
        this.adapter && hasPoolStats(this.adapter) ? this.adapter.poolStats() : undefined,
      circuitState: () =>
        this.adapter && hasResilienceStats(this.adapter)
          ? this.adapter.resilienceStats().circuitState
          : undefined,
      migrations: () => migrationFigures(this.migrations),
      cache: () => this.cacheStats(),
    };
  }

  /** Records one finished operation. Never throws. */
  onQuery(event: QueryEvent): void {
    const key = `${event.operation}\u0000${event.table}`;
    let counter = this.counters.get(key);
    if (!counter) {
      counter = new OperationCounter(event.operation, event.table, this.settings.reservoirSize);
      this.counters.set(key, counter);
    }
    counter.count += 1;
    counter.latency.add(event.durationMs);
    this.totalQueries += 1;
    const errorClass = event.error ? event.error.name || event.error.constructor.name : undefined;
    if (errorClass !== undefined) {
      counter.errors += 1;
      counter.errorsByClass.set(errorClass, (counter.errorsByClass.get(errorClass) ?? 0) + 1);
      this.totalErrors += 1;
    }
    if (event.durationMs > this.settings.slowQueryThresholdMs) {
      this.slowQueries += 1;
      const statement = event.statement ? `: ${event.statement}` : '';
      this.logger.warn(
        `Slow query: ${event.operation} on ${event.table || '-'} took ${event.durationMs.toFixed(1)}ms ` +
          `(threshold ${this.settings.slowQueryThresholdMs}ms)${statement}`,
      );
    }
    this.prometheus?.record(event, errorClass);
  }

  /** The figures so far, one entry per operation and table, sorted by table then operation. */
  snapshot(): DatabaseMetricsSnapshot {
    const operations = [...this.counters.values()]
      .sort((a, b) => a.table.localeCompare(b.table) || a.operation.localeCompare(b.operation))
      .map((c) => ({
        operation: c.operation,
        table: c.table,
        count: c.count,
        errors: c.errors,
        errorsByClass: Object.fromEntries(c.errorsByClass),
        latencyMs: c.latency.percentiles(),
      }));
    return {
      since: this.since.toISOString(),
      totalQueries: this.totalQueries,
      totalErrors: this.totalErrors,
      slowQueries: this.slowQueries,
      slowQueryThresholdMs: this.settings.slowQueryThresholdMs,
      operations,
    };
  }

  /** Clears the in-memory figures (Prometheus counters keep counting, as Prometheus expects). */
  reset(): void {
    this.counters.clear();
    this.totalQueries = 0;
    this.totalErrors = 0;
    this.slowQueries = 0;
    this.since = new Date();
  }

  /**
   * Asks the database for pool usage, table row counts and its size, through the optional adapter
   * methods ({@link PoolStatsProvider}, {@link TableStatsProvider}, {@link StorageStatsProvider});
   * figures the adapter does not offer are left out.
   */
  async collectStats(): Promise<DatabaseStats> {
    const adapter = this.adapter;
    if (!adapter) return {};
    const stats: DatabaseStats = {};
    if (hasPoolStats(adapter)) stats.pool = adapter.poolStats();
    if (hasTableStats(adapter)) stats.tableRowCounts = await adapter.tableRowCounts();
    if (hasStorageStats(adapter))
      stats.databaseBytes = (await adapter.storageStats()).databaseBytes;
    if (hasResilienceStats(adapter)) stats.resilience = adapter.resilienceStats();
    const cache = this.cacheStats();
    if (cache) stats.cache = cache;
    return stats;
  }
}

/** The counts of a boot migration check, when one ran and read the schema. */
function migrationFigures(
  outcome: HealthCheckOutcome | undefined,
): { pending: number; drift: number } | undefined {
  const details = outcome?.details;
  if (!details || typeof details.pending !== 'number') return undefined;
  return {
    pending: details.pending,
    drift: Array.isArray(details.drift) ? details.drift.length : 0,
  };
}
