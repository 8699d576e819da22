import type { IPaginatedResult } from '../database-adapter.interface';
import { offsetPage } from '../../query/page';
import type { QueryPlan } from '../../query/query-plan';
import { pageTotal } from './sql-compiler';

/** How often an empty page is read again when a later count says it should have had rows. */
const EMPTY_PAGE_ATTEMPTS = 3;

/**
 * Reads an offset page with {@link pageText}, whose rows carry the total, so both come from one
 * snapshot. An empty page carries no total, so it is counted afterwards; that count may see a
 * later snapshot, and is kept only when that snapshot gives an empty page too (a total at most
 * the offset). Otherwise the page is read again.
 */
export async function readOffsetPage<T>(
  plan: QueryPlan,
  readRows: () => Promise<readonly (readonly unknown[])[]>,
  countRows: () => Promise<number>,
  mapRow: (row: readonly unknown[]) => T,
): Promise<IPaginatedResult<T>> {
  for (let attempt = 1; ; attempt++) {
    const rows = await readRows();
    if (rows.length > 0) return offsetPage(plan, rows.map(mapRow), pageTotal(plan, rows[0]));
    const total = await countRows();
    if (total <= (plan.offset ?? 0) || attempt === EMPTY_PAGE_ATTEMPTS) {
      return offsetPage(plan, [], total);
    }
  }
}
