import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import { CachedAdapter } from './cached.adapter';

/** The most layers looked through for cache layers (as the test transaction looks for its adapter). */
const MAX_LAYERS = 8;

/**
 * Invalidates every cached read of each cache layer in `adapter`'s layers (those that keep the
 * one they wrap as `inner`). The test transaction calls it after its rollback: reads made during
 * the test may have cached rows that are gone.
 */
export async function invalidateCachedReads(adapter: IDatabaseAdapter): Promise<void> {
  let layer: unknown = adapter;
  for (let depth = 0; depth < MAX_LAYERS && typeof layer === 'object' && layer; depth += 1) {
    if (layer instanceof CachedAdapter) await layer.invalidateCache();
    layer = (layer as { inner?: unknown }).inner;
  }
}
