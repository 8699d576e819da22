export * from './circuit-breaker';
export * from './retry-policy';
export * from './input-size.guard';
export * from './resilient.adapter';
export * from './circuit-state-log';
