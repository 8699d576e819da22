// The result cache: the layer, its stores and its options.
export * from './cached.adapter';
export * from './invalidate-cached-reads';
export * from './cache-stats';
export type { CacheLookup, CacheStore, CacheStoreStats } from './cache-store.interface';
export { CACHE_OPERATION_RULES, WRITE_EVERY_TABLE, type OperationRule } from './cache-operations';
export * from './memory-cache.store';
export * from './redis-cache.store';
export * from './read-cache-options';
