import { QueryException, RecordNotFoundException, TransactionException } from '../../exceptions';
import { checkExpectedVersion } from '../../query/concurrency-input';
import { normalizeCreate, normalizeUpdate, nowTimestamp } from '../../query/normalize-write';
import {
  checkId,
  incrementBounds,
  incrementColumn,
  incrementOutOfRange,
  normalizeCreateMany,
  requireSoftDelete,
} from '../../query/operation-input';
import type {
  CreateInput,
  IBaseEntity,
  TableDefinition,
  UpdateInput,
} from '../../schema/table-definition';
import type { UpdateOptions } from '../database-adapter.interface';
import { atStoredVersion, nextVersionBody, patchVersioned } from './supabase-concurrency';
import { liveOnly } from './supabase-query.translator';
import type { SupabaseCall, SupabaseRequests } from './supabase-requests';
import { rowMapper, type PostgrestRow } from './supabase-row.mapper';
import { findLiveBy } from './supabase-upsert';

export { upsert } from './supabase-upsert';

/**
 * The write operations of the contract as PostgREST POST, PATCH and DELETE requests. Ids and
 * values are checked and normalized by the same functions as on the SQL providers (src/query)
 * before any request is sent. A write by id that changes no row (missing, soft-deleted where that
 * matters, or hidden by row-level security) is a RecordNotFoundException.
 */

/** How often increment retries its compare-and-swap before giving up. */
const INCREMENT_ATTEMPTS = 5;

export function create<T extends IBaseEntity>(
  requests: SupabaseRequests,
  data: CreateInput<T>,
  table: TableDefinition<T>,
): Promise<T> {
  return requests.run('create', table, async (call) => {
    const mapper = rowMapper(table);
    const values = normalizeCreate(table, data, nowTimestamp());
    call.noteValues(values);
    const query = call.client.from(table.name).insert(mapper.toBody(values)).select().single();
    return mapper.toEntity(call.ok(await call.send(query)) as PostgrestRow);
  });
}

/** One POST with an array is one statement in one transaction: all rows or none. */
export function createMany<T extends IBaseEntity>(
  requests: SupabaseRequests,
  data: readonly CreateInput<T>[],
  table: TableDefinition<T>,
): Promise<T[]> {
  return requests.run('createMany', table, async (call) => {
    const rows = normalizeCreateMany(table, data);
    if (rows.length === 0) return [];
    const mapper = rowMapper(table);
    for (const values of rows) call.noteValues(values);
    const query = call.client
      .from(table.name)
      .insert(rows.map((v) => mapper.toBody(v)))
      .select();
    const created = (await call.rows(query)).map((r) => mapper.toEntity(r));
    // Return them in input order whatever order the server used.
    const byId = new Map(created.map((e) => [e.id, e]));
    return rows.map((v) => byId.get(v.get(table.primaryKey) as string) ?? missingRow(table));
  });
}

/**
 * One PATCH by id; on a versioned table a compare-and-swap on the version (see
 * `patchVersioned`): with `expectedVersion` the PATCH is filtered on it and a miss is read to
 * tell a stale version from a missing row.
 */
export function update<T extends IBaseEntity>(
  requests: SupabaseRequests,
  id: string,
  data: UpdateInput<T>,
  table: TableDefinition<T>,
  options?: UpdateOptions,
): Promise<T> {
  return requests.run('update', table, async (call) => {
    const key = checkId(table, id);
    const expected = checkExpectedVersion(table, options);
    const mapper = rowMapper(table);
    const values = normalizeUpdate(table, data, nowTimestamp());
    call.noteValues(values);
    call.note(key);
    if (table.versioned) {
      const body = mapper.toBody(values);
      return mapper.toEntity(await patchVersioned(call, table, key, body, 'live', expected));
    }
    const query = liveOnly(
      call.client.from(table.name).update(mapper.toBody(values)).eq(table.primaryKey.column, key),
      table,
    );
    return mapper.toEntity(await oneChanged(call, query.select(), table, key));
  });
}

/**
 * PostgREST cannot write `col = col + 1`, so this compares and swaps: read the live row, then
 * PATCH it only while the counter still holds the value read; a miss means another writer won,
 * and the step is tried again.
 */
export function increment<T extends IBaseEntity>(
  requests: SupabaseRequests,
  id: string,
  field: keyof T & string,
  by: number,
  table: TableDefinition<T>,
  data: UpdateInput<T> = {},
): Promise<T> {
  return requests.run('increment', table, async (call) => {
    const key = checkId(table, id);
    const counter = incrementColumn(table, field, by);
    const mapper = rowMapper(table);
    const values = normalizeUpdate(table, data, nowTimestamp());
    values.delete(counter);
    call.note(by);
    call.noteValues(values);
    call.note(key);
    const [low, high] = incrementBounds(counter, by);
    for (let attempt = 0; attempt < INCREMENT_ATTEMPTS; attempt++) {
      const current = await findLiveBy(call, table, table.primaryKey.column, key);
      if (!current) throw new RecordNotFoundException(table.name, key);
      const stored = current[counter.column] as number;
      if (stored < low || stored > high) throw incrementOutOfRange(table, counter);
      const next = new Map(values).set(counter, stored + by);
      const query = call.client
        .from(table.name)
        .update(nextVersionBody(table, current, mapper.toBody(next)))
        .eq(table.primaryKey.column, key)
        .eq(counter.column, stored);
      const guarded = atStoredVersion(query, table, current);
      const rows = await call.rows(liveOnly(guarded, table).select());
      if (rows.length > 0) return mapper.toEntity(rows[0]);
    }
    throw new TransactionException(
      `${table.name}: increment lost to concurrent writers ${INCREMENT_ATTEMPTS} times`,
      { retryable: true },
    );
  });
}

export function softDelete<T extends IBaseEntity>(
  requests: SupabaseRequests,
  id: string,
  table: TableDefinition<T>,
): Promise<void> {
  return requests.run('softDelete', table, async (call) => {
    await setDeleted(call, id, table, true);
  });
}

export function restore<T extends IBaseEntity>(
  requests: SupabaseRequests,
  id: string,
  table: TableDefinition<T>,
): Promise<T> {
  return requests.run('restore', table, async (call) =>
    rowMapper(table).toEntity(await setDeleted(call, id, table, false)),
  );
}

export function hardDelete<T extends IBaseEntity>(
  requests: SupabaseRequests,
  id: string,
  table: TableDefinition<T>,
): Promise<void> {
  return requests.run('hardDelete', table, async (call) => {
    const key = checkId(table, id);
    call.note(key);
    const query = call.client.from(table.name).delete().eq(table.primaryKey.column, key);
    await oneChanged(call, query.select(table.primaryKey.column), table, key);
  });
}

/**
 * Soft-deletes (`deleted`) or restores the row: a PATCH of deletedAt and updatedAt guarded by
 * the row's current state, so deleting a deleted row or restoring a live one is a not-found.
 * Returns the row changed (only its id when deleting).
 */
async function setDeleted(
  call: SupabaseCall,
  id: string,
  table: TableDefinition<any>,
  deleted: boolean,
): Promise<PostgrestRow> {
  requireSoftDelete(table);
  const deletedAt = table.column('deletedAt')!.column;
  const key = checkId(table, id);
  const now = nowTimestamp();
  if (deleted) call.note(now, now, key);
  else call.note(now, key);
  const body = { [deletedAt]: deleted ? now : null, [table.column('updatedAt')!.column]: now };
  const select = deleted ? table.primaryKey.column : '*';
  if (table.versioned) {
    return patchVersioned(call, table, key, body, deleted ? 'live' : 'deleted', undefined, select);
  }
  const query = call.client.from(table.name).update(body).eq(table.primaryKey.column, key);
  const guarded = deleted ? query.is(deletedAt, null) : query.not(deletedAt, 'is', null);
  return oneChanged(call, guarded.select(select), table, key);
}

/**
 * The one row a mutation with `.select()` changed. PostgREST answers a mutation that matched
 * nothing (a missing id, or a row hidden by RLS) with success and `[]`: that is a not-found.
 */
async function oneChanged(
  call: SupabaseCall,
  query: PromiseLike<unknown>,
  table: TableDefinition<any>,
  id: string,
): Promise<PostgrestRow> {
  const rows = await call.rows(query);
  if (!Array.isArray(rows) || rows.length === 0) throw new RecordNotFoundException(table.name, id);
  return rows[0];
}

function missingRow(table: TableDefinition<any>): never {
  throw new QueryException(`${table.name}: the server did not return every created row`);
}
