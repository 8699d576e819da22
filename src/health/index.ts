export * from './database-health.interface';
export * from './database-health.service';
export * from './database-health.indicator';
export * from './health.messages';
export * from './promise-timeout';
export * from './storage-stats.interface';
export * from './summarize-health';
export * from './usage-checks';
