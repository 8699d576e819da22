import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';

/**
 * The optional methods the health and metrics services detect by name: pool, table, storage,
 * resilience and cache figures (src/metrics/database-stats.interface.ts says what each returns).
 */
const EXTRAS = [
  'poolStats',
  'tableRowCounts',
  'storageStats',
  'resilienceStats',
  'cacheStats',
] as const;

/**
 * Gives a layer around an adapter the optional methods the health and metrics services detect
 * by name: the ones the wrapped adapter has, and only those. A layer's own method of the same
 * name (the resilience layer's `resilienceStats`) is kept.
 */
export function forwardExtras(layer: object, inner: IDatabaseAdapter): void {
  const self = layer as Record<string, unknown>;
  const source = inner as unknown as Record<string, unknown>;
  for (const name of EXTRAS) {
    const method = source[name];
    if (typeof method === 'function' && !(name in self)) self[name] = method.bind(inner);
  }
}
