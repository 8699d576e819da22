import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import type { TableDefinition } from '../schema/table-definition';
import { CachedAdapter } from './cached.adapter';

/** The most layers looked through for cache layers (as the test transaction looks for its adapter). */
const MAX_LAYERS = 8;

/**
 * Invalidates the cached reads of these tables (every table when none is given) in each cache
 * layer among `adapter`'s layers (those that keep the one they wrap as `inner`): the way to
 * {@link CachedAdapter.invalidateCache} through the module's adapter, whatever wraps the cache.
 * Does nothing without a cache. The test transaction calls it after its rollback: reads made
 * during the test may have cached rows that are gone.
 *
 * @example
 * await invalidateCachedReads(adapter, [productsTable]); // after an import done in raw SQL
 */
export async function invalidateCachedReads(
  adapter: IDatabaseAdapter,
  tables?: readonly (TableDefinition<any> | string)[],
): Promise<void> {
  let layer: unknown = adapter;
  for (let depth = 0; depth < MAX_LAYERS && typeof layer === 'object' && layer; depth += 1) {
    if (layer instanceof CachedAdapter) await layer.invalidateCache(tables);
    layer = (layer as { inner?: unknown }).inner;
  }
}
