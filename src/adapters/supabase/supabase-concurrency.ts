import { RecordNotFoundException } from '../../exceptions';
import {
  versionColumn,
  versionMissVerdict,
  versionRaceLost,
  VERSION_ATTEMPTS,
} from '../../query/concurrency-input';
import type { ColumnDefinition, TableDefinition } from '../../schema/table-definition';
import { quoteValue, type FilterableQuery } from './supabase-query.translator';
import type { SupabaseCall } from './supabase-requests';
import type { PostgrestRow } from './supabase-row.mapper';

/**
 * Concurrency control over PostgREST, which can neither write `version = version + 1` nor put a
 * condition on the row an upsert conflicts with: every change of a versioned row is a
 * compare-and-swap PATCH filtered on the version it replaces, and an ordered upsert's PATCH is
 * filtered on the stored order value. A PATCH that matches nothing answers `[]`, and a read then
 * tells a lost race from a missing row.
 */

/** How often a change of a versioned row retries its compare-and-swap when other writers win. */
const CAS_ATTEMPTS = 5;

/** Which rows a versioned change applies to: live ones, or (restore) soft-deleted ones. */
export type RowState = 'live' | 'deleted';

/** Adds the filter of `state` on a soft-delete table; other tables have only live rows. */
function inState<Q extends FilterableQuery<Q>>(
  query: Q,
  table: TableDefinition<any>,
  state: RowState,
): Q {
  if (!table.softDelete) return query;
  const deletedAt = table.column('deletedAt')!.column;
  return state === 'live' ? query.is(deletedAt, null) : query.not(deletedAt, 'is', null);
}

/** The version of the row with this id in `state`, or undefined when there is none. */
async function versionOf(
  call: SupabaseCall,
  table: TableDefinition<any>,
  id: string,
  state: RowState,
): Promise<number | undefined> {
  const version = versionColumn(table)!.column;
  const query = call.client.from(table.name).select(version).eq(table.primaryKey.column, id);
  const row = call.ok(
    await call.send(inState(query, table, state).maybeSingle()),
  ) as PostgrestRow | null;
  return row ? (row[version] as number) : undefined;
}

/**
 * Writes `body` to the versioned row with this id in `state`, bumping its version, and returns
 * the row (`select` columns). With `expected`: one PATCH filtered on that version, and after a
 * miss a read of the version for the verdict (RecordNotFoundException or
 * OptimisticLockException, see `versionMissVerdict`). Without: read the version, then PATCH
 * filtered on it, again while other writers win the race.
 */
export async function patchVersioned(
  call: SupabaseCall,
  table: TableDefinition<any>,
  id: string,
  body: PostgrestRow,
  state: RowState,
  expected?: number,
  select = '*',
): Promise<PostgrestRow> {
  const version = versionColumn(table)!.column;
  let current = expected ?? (await versionOf(call, table, id, state));
  const attempts = expected === undefined ? CAS_ATTEMPTS : VERSION_ATTEMPTS;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (current === undefined) throw new RecordNotFoundException(table.name, id);
    const query = call.client
      .from(table.name)
      .update({ ...body, [version]: current + 1 })
      .eq(table.primaryKey.column, id)
      .eq(version, current);
    const rows = await call.rows(inState(query, table, state).select(select));
    if (rows.length > 0) return rows[0];
    const found = await versionOf(call, table, id, state);
    if (expected !== undefined) {
      const verdict = versionMissVerdict(table, id, expected, found);
      if (verdict) throw verdict;
    }
    current = found;
  }
  throw versionRaceLost(table, id);
}

/** `body` setting the next version of `stored`, a row as read; unchanged unless versioned. */
export function nextVersionBody(
  table: TableDefinition<any>,
  stored: PostgrestRow,
  body: PostgrestRow,
): PostgrestRow {
  const column = versionColumn(table)?.column;
  return column === undefined ? body : { ...body, [column]: (stored[column] as number) + 1 };
}

/**
 * `query` matching the row only while it still has the version of `stored` (the other half of a
 * compare-and-swap with {@link nextVersionBody}); unchanged unless versioned.
 */
export function atStoredVersion<Q extends { eq(column: string, value: unknown): Q }>(
  query: Q,
  table: TableDefinition<any>,
  stored: PostgrestRow,
): Q {
  const column = versionColumn(table)?.column;
  return column === undefined ? query : query.eq(column, stored[column]);
}

/**
 * Whether a stored order value is newer than the incoming one, so an ordered upsert keeps the
 * row: never when it is null; timestamps compared as instants (PostgREST prints them with an
 * offset), integers as numbers.
 */
export function storedIsNewer(
  column: ColumnDefinition,
  stored: unknown,
  incoming: unknown,
): boolean {
  if (stored === null || stored === undefined) return false;
  if (column.type === 'timestamp') {
    return Date.parse(stored as string) > Date.parse(incoming as string);
  }
  return (stored as number) > (incoming as number);
}

/**
 * The `or=(…)` terms of an ordered upsert's compare-and-swap: the stored value is null or at most
 * the incoming one, the value quoted as every logic-tree value is.
 */
export function notNewerTerms(column: ColumnDefinition, incoming: string | number): string {
  return `${column.column}.is.null,${column.column}.lte.${quoteValue(incoming)}`;
}
