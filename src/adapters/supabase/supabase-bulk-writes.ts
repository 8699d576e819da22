import { QueryException, ValidationException } from '../../exceptions';
import {
  checkUpsertMany,
  deletedAtValues,
  deleteScope,
  matchesNothing,
  planBulkWrite,
} from '../../query/bulk-input';
import { normalizeUpdate, nowTimestamp, type WriteValues } from '../../query/normalize-write';
import type { QueryPlan } from '../../query/query-plan';
import type {
  CreateInput,
  IBaseEntity,
  TableDefinition,
  UpdateInput,
} from '../../schema/table-definition';
import type {
  BulkWriteOptions,
  DeleteManyOptions,
  IFilterOptions,
  UpsertOptions,
  UpsertResult,
} from '../database-adapter.interface';
import { applyConditions } from './supabase-query.translator';
import type { SupabaseCall, SupabaseRequests } from './supabase-requests';
import { rowMapper } from './supabase-row.mapper';
import { upsertWith } from './supabase-upsert';

/**
 * The bulk writes as PostgREST requests: one PATCH or DELETE each, filtered by the planner's
 * conditions in the query string (the same translation as reads), with `Prefer: return=minimal,
 * count=exact` so the answer carries no rows and the count of rows changed in Content-Range. One
 * request is one statement in one transaction on the server.
 */

/** No rows back, and the count of rows changed (`Content-Range: *\/N`). */
const COUNT_ONLY = 'return=minimal, count=exact';

export function updateMany<T extends IBaseEntity>(
  requests: SupabaseRequests,
  filters: IFilterOptions | undefined,
  data: UpdateInput<T>,
  table: TableDefinition<T>,
  options?: BulkWriteOptions,
): Promise<number> {
  return requests.run('updateMany', table, async (call) => {
    const plan = planBulkWrite('updateMany', table, filters, options, 'live', call.limits);
    const values = normalizeUpdate(table, data, nowTimestamp());
    return patchMany(call, 'updateMany', plan, values);
  });
}

export function softDeleteMany<T extends IBaseEntity>(
  requests: SupabaseRequests,
  filters: IFilterOptions | undefined,
  table: TableDefinition<T>,
  options?: BulkWriteOptions,
): Promise<number> {
  return setDeletedMany(requests, 'softDeleteMany', filters, table, options, 'live');
}

export function restoreMany<T extends IBaseEntity>(
  requests: SupabaseRequests,
  filters: IFilterOptions | undefined,
  table: TableDefinition<T>,
  options?: BulkWriteOptions,
): Promise<number> {
  return setDeletedMany(requests, 'restoreMany', filters, table, options, 'deleted');
}

export function deleteMany<T extends IBaseEntity>(
  requests: SupabaseRequests,
  filters: IFilterOptions | undefined,
  table: TableDefinition<T>,
  options?: DeleteManyOptions,
): Promise<number> {
  return requests.run('deleteMany', table, async (call) => {
    const scope = deleteScope(options);
    const plan = planBulkWrite('deleteMany', table, filters, options, scope, call.limits);
    if (matchesNothing(plan.conditions)) return 0;
    call.noteConditions(plan.conditions);
    const query = applyConditions(call.client.from(table.name).delete(), plan.conditions);
    return call.countOf(await call.send(query.setHeader('Prefer', COUNT_ONLY)));
  });
}

/**
 * One {@link upsert} per row, in input order: PostgREST's on_conflict cannot name the partial
 * unique index (see supabase-upsert.ts), so the rows are not written atomically
 * (`capabilities.atomicUpsertMany` is false). Every row is checked before the first request.
 */
export function upsertMany<T extends IBaseEntity>(
  requests: SupabaseRequests,
  data: readonly CreateInput<T>[],
  table: TableDefinition<T>,
  options: UpsertOptions<T>,
): Promise<UpsertResult<T>[]> {
  return requests.run('upsertMany', table, async (call) => {
    checkUpsertMany(table, data, options);
    const results: UpsertResult<T>[] = [];
    for (const row of data) results.push(await upsertWith(call, row, table, options));
    return results;
  });
}

/** Raw SQL has no PostgREST request: refused, pointing to a Postgres function and rpc(). */
export function refuseRawSql(requests: SupabaseRequests): Promise<never> {
  return requests.run('runSql', undefined, async () => {
    throw new QueryException(
      'Raw SQL is not available on Supabase over PostgREST (capabilities.rawSql is false). Put ' +
        'the SQL in a Postgres function and call it with adapter.rpc(fn, args), or use the ' +
        "postgres provider with the project's DATABASE_URL.",
      { retryable: false },
    );
  });
}

function setDeletedMany(
  requests: SupabaseRequests,
  operation: string,
  filters: IFilterOptions | undefined,
  table: TableDefinition<any>,
  options: BulkWriteOptions | undefined,
  scope: 'live' | 'deleted',
): Promise<number> {
  return requests.run(operation, table, async (call) => {
    const values = deletedAtValues(table, scope);
    const plan = planBulkWrite(operation, table, filters, options, scope, call.limits);
    return patchMany(call, operation, plan, values);
  });
}

/**
 * `PATCH /table?<conditions>` with the values. A versioned table is refused: every change of a
 * row bumps its version, and PostgREST can only write one given value into every matched row.
 */
async function patchMany(
  call: SupabaseCall,
  operation: string,
  plan: QueryPlan,
  values: WriteValues,
): Promise<number> {
  const { table } = plan;
  if (table.versioned) {
    throw new ValidationException(
      `${operation}: ${table.name} is versioned, and one PostgREST request cannot bump each ` +
        "row's version; write the rows one by one, or in a Postgres function called with rpc()",
      'version',
    );
  }
  if (matchesNothing(plan.conditions)) return 0;
  call.noteValues(values);
  call.noteConditions(plan.conditions);
  const body = rowMapper(table).toBody(values);
  const query = applyConditions(call.client.from(table.name).update(body), plan.conditions);
  return call.countOf(await call.send(query.setHeader('Prefer', COUNT_ONLY)));
}
