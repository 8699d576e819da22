import { UniqueConstraintException } from '../../exceptions';
import { orderedColumn } from '../../query/concurrency-input';
import { normalizeCreate, nowTimestamp } from '../../query/normalize-write';
import {
  checkUpsertOptions,
  upsertRaceLost,
  upsertUpdateColumns,
  UPSERT_ATTEMPTS,
} from '../../query/operation-input';
import type { CreateInput, IBaseEntity, TableDefinition } from '../../schema/table-definition';
import type { UpsertOptions, UpsertResult } from '../database-adapter.interface';
import {
  atStoredVersion,
  nextVersionBody,
  notNewerTerms,
  storedIsNewer,
} from './supabase-concurrency';
import { PG_UNIQUE_VIOLATION } from './supabase-error.mapper';
import { liveOnly } from './supabase-query.translator';
import type { SupabaseCall, SupabaseRequests } from './supabase-requests';
import { rowMapper, type PostgrestRow } from './supabase-row.mapper';

/**
 * PostgREST's on_conflict cannot name a partial unique index (ours are WHERE deleted_at IS
 * NULL), so: insert; on a unique violation read the live row and keep or patch it. Not atomic:
 * the row may change or vanish in between, hence another attempt on a lost race (as on SQL). The
 * patch is a compare-and-swap where it must be: on the version of a versioned row, and with
 * `orderedBy` on the stored order value (null or at most the incoming one), so a lost race is
 * never a lost or out-of-order write.
 */
export function upsert<T extends IBaseEntity>(
  requests: SupabaseRequests,
  data: CreateInput<T>,
  table: TableDefinition<T>,
  options: UpsertOptions<T>,
): Promise<UpsertResult<T>> {
  return requests.run('upsert', table, (call) => upsertWith(call, data, table, options));
}

/** {@link upsert} within an operation's call (upsertMany sends one per row). */
export async function upsertWith<T extends IBaseEntity>(
  call: SupabaseCall,
  data: CreateInput<T>,
  table: TableDefinition<T>,
  options: UpsertOptions<T>,
): Promise<UpsertResult<T>> {
  const conflict = checkUpsertOptions(table, options);
  const mapper = rowMapper(table);
  const values = normalizeCreate(table, data, nowTimestamp());
  const ordered = orderedColumn(table, options, conflict, values);
  call.noteValues(values);
  for (let attempt = 0; attempt < UPSERT_ATTEMPTS; attempt++) {
    const inserted = await call.send(
      call.client.from(table.name).insert(mapper.toBody(values)).select().single(),
    );
    const { error, status } = inserted;
    if (!error) {
      return {
        record: mapper.toEntity(inserted.data as PostgrestRow),
        created: true,
        applied: true,
      };
    }
    const mapped = call.failure(error, status);
    const key = values.get(conflict);
    // Only a clash on the conflict field itself is the "row exists" case.
    const otherField =
      mapped instanceof UniqueConstraintException &&
      mapped.field !== undefined &&
      mapped.field !== conflict.property;
    if (error.code !== PG_UNIQUE_VIOLATION || key === null || key === undefined || otherField) {
      throw mapped;
    }
    const live = await findLiveBy(call, table, conflict.column, key);
    if (!live) continue;
    const kept = { record: mapper.toEntity(live), created: false, applied: false };
    if (options.onConflict === 'ignore') return kept;
    if (ordered && storedIsNewer(ordered, live[ordered.column], values.get(ordered))) return kept;
    const patch = new Map(
      upsertUpdateColumns(table, data, conflict).map((c) => [c, values.get(c)]),
    );
    let query = call.client
      .from(table.name)
      .update(nextVersionBody(table, live, mapper.toBody(patch)))
      .eq(table.primaryKey.column, live[table.primaryKey.column]);
    query = atStoredVersion(query, table, live);
    if (ordered) query = query.or(notNewerTerms(ordered, values.get(ordered) as string | number));
    const updated = await call.rows(liveOnly(query, table).select());
    if (updated.length > 0) {
      return { record: mapper.toEntity(updated[0]), created: false, applied: true };
    }
  }
  throw upsertRaceLost(table);
}

/** The live row whose `column` holds `value`, or null. */
export async function findLiveBy(
  call: SupabaseCall,
  table: TableDefinition<any>,
  column: string,
  value: unknown,
): Promise<PostgrestRow | null> {
  const query = liveOnly(call.client.from(table.name).select('*').eq(column, value), table);
  return call.ok(await call.send(query.maybeSingle())) as PostgrestRow | null;
}
