export * from './database-metrics.service';
export * from './database-stats.interface';
export * from './latency-reservoir';
export * from './query-observers';
export { DURATION_BUCKETS, PrometheusExporter } from './prometheus-exporter';
export { CIRCUIT_STATE_VALUES, SCRAPED_METRICS, type GaugeSource } from './prometheus-gauges';
