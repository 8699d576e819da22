export * from './database-metrics.service';
export * from './database-stats.interface';
export * from './latency-reservoir';
export * from './query-observers';
export { PrometheusExporter } from './prometheus-exporter';
