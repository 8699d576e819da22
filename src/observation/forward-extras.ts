import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import { hasCacheStats } from '../cache/cache-stats';
import { hasStorageStats } from '../health/storage-stats.interface';
import { hasPoolStats, hasTableStats } from '../metrics/database-stats.interface';

/**
 * Gives a layer around an adapter the optional methods the health and metrics services detect
 * by name (pool, table, storage and cache statistics): the ones the wrapped adapter has, and only those.
 */
export function forwardExtras(layer: object, inner: IDatabaseAdapter): void {
  const self = layer as Record<string, unknown>;
  if (hasPoolStats(inner)) self.poolStats = () => inner.poolStats();
  if (hasTableStats(inner)) self.tableRowCounts = () => inner.tableRowCounts();
  if (hasStorageStats(inner)) self.storageStats = () => inner.storageStats();
  if (hasCacheStats(inner)) self.cacheStats = () => inner.cacheStats();
}
