import type {
  FindOptions,
  ICursorPaginatedResult,
  IPaginatedResult,
} from '../adapters/database-adapter.interface';
import type { TableDefinition } from '../schema/table-definition';
import { encodeCursor } from './cursor';
import {
  cursorValues,
  DEFAULT_PAGE_SIZE,
  orderSignature,
  planFind,
  type QueryLimits,
} from './plan-query';
import type { QueryPlan } from './query-plan';

/**
 * The plan of `findPage` on every provider: the caller's pagination, or the first page of
 * {@link DEFAULT_PAGE_SIZE} rows; a cursor page reads one row of look-ahead, for `hasNext`.
 */
export function planPage(
  table: TableDefinition<any>,
  options: FindOptions | undefined,
  limits: QueryLimits,
): QueryPlan {
  return planFind(table, options, limits, { lookAhead: true, defaultPageSize: DEFAULT_PAGE_SIZE });
}

/** Builds an offset page from its rows and the total count of matching rows. */
export function offsetPage<T>(plan: QueryPlan, rows: T[], total: number): IPaginatedResult<T> {
  const limit = plan.limit!;
  const page = Math.floor((plan.offset ?? 0) / limit) + 1;
  const totalPages = Math.ceil(total / limit);
  return {
    data: rows,
    total,
    page,
    limit,
    totalPages,
    hasNext: page < totalPages,
    hasPrevious: page > 1,
  };
}

/** Builds a cursor page from rows fetched with one row of look-ahead. */
export function cursorPage<T>(plan: QueryPlan, rows: T[]): ICursorPaginatedResult<T> {
  const limit = plan.cursor!.limit;
  const hasNext = rows.length > limit;
  const data = hasNext ? rows.slice(0, limit) : rows;
  const last = data[data.length - 1] as Record<string, unknown> | undefined;
  const nextCursor =
    hasNext && last
      ? encodeCursor(orderSignature(plan.orderBy), cursorValues(last, plan.orderBy))
      : null;
  if (plan.cursorOnly) for (const row of data) dropProperties(row, plan.cursorOnly);
  return { data, limit, nextCursor, hasNext };
}

/** Removes properties a row carried only for the cursor (not selected by the caller). */
function dropProperties(row: unknown, properties: readonly string[]): void {
  for (const property of properties) delete (row as Record<string, unknown>)[property];
}
