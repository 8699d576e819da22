import type { PrometheusRegistryLike } from '../config/database-options.interface';
import type { QueryEvent } from '../adapters/query-observer';
import { SCRAPED_METRICS, type GaugeSource, type ScrapedMetric } from './prometheus-gauges';

/** The parts of prom-client used here, so the package stays an optional peer dependency. */
interface PromMetric {
  inc(labels: Record<string, string>, value?: number): void;
  observe(labels: Record<string, string>, value: number): void;
  set(labels: Record<string, string>, value: number): void;
  reset(): void;
}
interface PromRegistry extends PrometheusRegistryLike {
  getSingleMetric(name: string): unknown;
}
interface PromClient {
  Registry: new () => PromRegistry;
  Counter: new (config: Record<string, unknown>) => PromMetric;
  Gauge: new (config: Record<string, unknown>) => PromMetric;
  Histogram: new (config: Record<string, unknown>) => PromMetric;
}

/**
 * Operation duration buckets in seconds: from a SQLite read by primary key (under 0.5 ms) to a
 * slow remote call, with the circuit breaker's and the health check's scale (1–5 s) at the top.
 */
export const DURATION_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/** Loads prom-client if the application installed it; undefined otherwise. */
export function loadPromClient(): PromClient | undefined {
  try {
    // Loaded lazily so applications without prom-client never need it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('prom-client') as PromClient;
  } catch {
    return undefined;
  }
}

/**
 * Mirrors query events as Prometheus metrics: `<prefix>queries_total`,
 * `<prefix>query_errors_total` and `<prefix>query_duration_seconds`, labelled by provider,
 * operation and table (and error class for errors); and, given a {@link GaugeSource}, the
 * figures of {@link SCRAPED_METRICS} (pool, circuit, migrations, cache), read at each scrape.
 */
export class PrometheusExporter {
  private readonly queries: PromMetric;
  private readonly errors: PromMetric;
  private readonly duration: PromMetric;

  private constructor(
    readonly registry: PrometheusRegistryLike,
    client: PromClient,
    prefix: string,
    source: GaugeSource | undefined,
  ) {
    const registers = [registry];
    const labelNames = ['provider', 'operation', 'table'];
    // Two applications may share a registry; metrics are registered once and then reused.
    const metric = (name: string, make: () => PromMetric): PromMetric =>
      ((registry as PromRegistry).getSingleMetric(name) as PromMetric | undefined) ?? make();
    if (source) {
      for (const scraped of SCRAPED_METRICS) {
        const name = `${prefix}${scraped.name}`;
        metric(name, () => scrapedMetric(client, name, scraped, source, registers));
      }
    }
    this.queries = metric(
      `${prefix}queries_total`,
      () =>
        new client.Counter({
          name: `${prefix}queries_total`,
          help: 'Database operations run, by provider, operation and table.',
          labelNames,
          registers,
        }),
    );
    this.errors = metric(
      `${prefix}query_errors_total`,
      () =>
        new client.Counter({
          name: `${prefix}query_errors_total`,
          help: 'Database operations that failed, by exception class.',
          labelNames: [...labelNames, 'error'],
          registers,
        }),
    );
    this.duration = metric(
      `${prefix}query_duration_seconds`,
      () =>
        new client.Histogram({
          name: `${prefix}query_duration_seconds`,
          help: 'Database operation duration in seconds.',
          labelNames,
          buckets: DURATION_BUCKETS,
          registers,
        }),
    );
  }

  /**
   * Builds an exporter on the given registry, or on a new one when `registry` is `true`; undefined
   * when prom-client is not installed or export is turned off.
   */
  static create(
    registry: boolean | PrometheusRegistryLike,
    prefix: string,
    source?: GaugeSource,
  ): PrometheusExporter | undefined {
    if (registry === false) return undefined;
    const client = loadPromClient();
    if (!client) return undefined;
    // A new registry per application, never prom-client's global one: tests boot many apps.
    return new PrometheusExporter(
      registry === true ? new client.Registry() : registry,
      client,
      prefix,
      source,
    );
  }

  /** Records one event. */
  record(event: QueryEvent, errorClass: string | undefined): void {
    const labels = { provider: event.provider, operation: event.operation, table: event.table };
    this.queries.inc(labels);
    this.duration.observe(labels, event.durationMs / 1000);
    if (errorClass !== undefined) this.errors.inc({ ...labels, error: errorClass });
  }
}

/**
 * A gauge or counter whose value is read from `source` at each scrape (prom-client calls
 * `collect` before it renders the metric): nothing runs between scrapes, and a figure that has
 * gone (a cache turned off) leaves no stale sample.
 */
function scrapedMetric(
  client: PromClient,
  name: string,
  scraped: ScrapedMetric,
  source: GaugeSource,
  registers: PrometheusRegistryLike[],
): PromMetric {
  const Metric = scraped.type === 'gauge' ? client.Gauge : client.Counter;
  return new Metric({
    name,
    help: scraped.help,
    labelNames: ['provider'],
    registers,
    collect(this: PromMetric) {
      this.reset();
      const value = scraped.read(source);
      if (value === undefined || !Number.isFinite(value)) return;
      const labels = { provider: source.provider() };
      if (scraped.type === 'gauge') this.set(labels, value);
      else this.inc(labels, value);
    },
  });
}
