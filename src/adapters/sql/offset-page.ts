import type { IPaginatedResult } from '../database-adapter.interface';
import { offsetPage } from '../../query/page';
import type { QueryPlan } from '../../query/query-plan';
import { pageTotal } from './sql-compiler';

/** How often an empty page is read again when a later count says it should have had rows. */
const EMPTY_PAGE_ATTEMPTS = 3;

/**
 * Reads an offset page with {@link pageText}, whose rows carry the total, so both come from one
 * snapshot. An empty first page means a total of 0 in that same snapshot. An empty later page
 * carries no total, so it is counted afterwards; that count may see a later snapshot, and is kept
 * only when that snapshot gives an empty page too (a total at most the offset); otherwise the
 * page is read again. While writers keep moving the total across the offset, the last attempt
 * runs `inOneSnapshot` when the engine has one (a transaction on a single connection, where no
 * other statement can come between; a REPEATABLE READ transaction on PostgreSQL).
 */
export async function readOffsetPage<T>(
  plan: QueryPlan,
  readRows: () => Promise<readonly (readonly unknown[])[]>,
  countRows: () => Promise<number>,
  mapRow: (row: readonly unknown[]) => T,
  inOneSnapshot?: <R>(work: () => Promise<R>) => Promise<R>,
): Promise<IPaginatedResult<T>> {
  const offset = plan.offset ?? 0;
  const attempt = async (last: boolean): Promise<IPaginatedResult<T> | undefined> => {
    const rows = await readRows();
    if (rows.length > 0) return offsetPage(plan, rows.map(mapRow), pageTotal(plan, rows[0]));
    if (offset === 0) return offsetPage(plan, [], 0);
    const total = await countRows();
    return total <= offset || last ? offsetPage(plan, [], total) : undefined;
  };
  for (let n = 1; n < EMPTY_PAGE_ATTEMPTS; n++) {
    const page = await attempt(false);
    if (page) return page;
  }
  const last = () => attempt(true) as Promise<IPaginatedResult<T>>;
  return inOneSnapshot ? inOneSnapshot(last) : last();
}
