import { checkId, checkIds } from '../../query/operation-input';
import { cursorPage, offsetPage, planPage } from '../../query/page';
import { planCount, planFind } from '../../query/plan-query';
import type { QueryPlan } from '../../query/query-plan';
import type { IBaseEntity, TableDefinition } from '../../schema/table-definition';
import type {
  FindByIdOptions,
  FindOptions,
  ICursorPaginatedResult,
  IFilterOptions,
  IPaginatedResult,
} from '../database-adapter.interface';
import { PGRST_NOT_SINGULAR, PGRST_RANGE_NOT_SATISFIABLE } from './supabase-error.mapper';
import { applyConditions, applyPlan, liveOnly, matchesNothing } from './supabase-query.translator';
import type { SupabaseCall, SupabaseRequests } from './supabase-requests';
import { rowMapper, type PostgrestRow } from './supabase-row.mapper';

/**
 * The read operations of the contract as PostgREST GET (and HEAD) requests. Input is checked and
 * planned by the same functions as on the SQL providers (src/query) before any request is sent;
 * a plan that can match nothing sends none.
 */

// ~100 quoted UUIDs keep a findByIds URL near 5 kB, under common proxy limits (8 kB).
const IDS_PER_REQUEST = 100;

export function findById<T extends IBaseEntity>(
  requests: SupabaseRequests,
  id: string,
  table: TableDefinition<T>,
  options?: FindByIdOptions,
): Promise<T | null> {
  return requests.run('findById', table, async (call) => {
    const query = byId(call, table, id, '*', options?.includeDeleted);
    const result = await call.send(query.maybeSingle());
    // 0 rows on a single-object read is a miss, not an error.
    if (result.error?.code === PGRST_NOT_SINGULAR) return null;
    const row = call.ok(result) as PostgrestRow | null;
    return row ? rowMapper(table).toEntity(row) : null;
  });
}

/** One request per {@link IDS_PER_REQUEST} ids, sent together. */
export function findByIds<T extends IBaseEntity>(
  requests: SupabaseRequests,
  ids: readonly string[],
  table: TableDefinition<T>,
  options?: FindByIdOptions,
): Promise<T[]> {
  return requests.run('findByIds', table, async (call) => {
    const keys = checkIds(table, ids, call.limits.maxInListSize);
    if (keys.length === 0) return [];
    const live = planCount(table, undefined, options?.includeDeleted, call.limits).conditions;
    const mapper = rowMapper(table);
    const chunks: string[][] = [];
    for (let i = 0; i < keys.length; i += IDS_PER_REQUEST)
      chunks.push(keys.slice(i, i + IDS_PER_REQUEST));
    const pages = await Promise.all(
      chunks.map((values) => {
        const conditions = [...live, { kind: 'in' as const, column: table.primaryKey, values }];
        call.noteConditions(conditions);
        return call.rows(applyConditions(call.client.from(table.name).select('*'), conditions));
      }),
    );
    return pages.flat().map((r) => mapper.toEntity(r));
  });
}

export function findMany<T extends IBaseEntity>(
  requests: SupabaseRequests,
  options: FindOptions,
  table: TableDefinition<T>,
): Promise<T[]> {
  return requests.run('findMany', table, (call) =>
    select(call, planFind(table, options, call.limits), table),
  );
}

export function findFirst<T extends IBaseEntity>(
  requests: SupabaseRequests,
  options: FindOptions,
  table: TableDefinition<T>,
): Promise<T | null> {
  return requests.run('findFirst', table, async (call) => {
    const rows = await select(call, planFind(table, options, call.limits, { limit: 1 }), table);
    return rows[0] ?? null;
  });
}

/**
 * A cursor page is one read with a row of look-ahead; an offset page is one request with the
 * rows and, in Content-Range, the total.
 */
export function findPage<T extends IBaseEntity>(
  requests: SupabaseRequests,
  options: FindOptions,
  table: TableDefinition<T>,
): Promise<IPaginatedResult<T> | ICursorPaginatedResult<T>> {
  return requests.run('findPage', table, async (call) => {
    const plan = planPage(table, options, call.limits);
    if (plan.cursor) return cursorPage(plan, await select(call, plan, table));
    if (matchesNothing(plan)) return offsetPage(plan, [], 0);
    call.noteConditions(plan.conditions);
    const columns = selectList(plan);
    const query = applyPlan(call.client.from(table.name).select(columns, { count: 'exact' }), plan);
    const result = await call.send(query);
    if (result.error?.code === PGRST_RANGE_NOT_SATISFIABLE) {
      // A page past the end (416): empty, with the total from a count.
      return offsetPage(plan, [], await countRows(call, plan, table));
    }
    const rows = call.ok(result) as PostgrestRow[];
    const mapper = rowMapper(table);
    return offsetPage(
      plan,
      rows.map((r) => mapper.toEntity(r)),
      call.countOf(result),
    );
  });
}

export function count<T extends IBaseEntity>(
  requests: SupabaseRequests,
  filters: IFilterOptions | undefined,
  table: TableDefinition<T>,
  options?: FindByIdOptions,
): Promise<number> {
  return requests.run('count', table, (call) =>
    countRows(call, planCount(table, filters, options?.includeDeleted, call.limits), table),
  );
}

export function exists<T extends IBaseEntity>(
  requests: SupabaseRequests,
  id: string,
  table: TableDefinition<T>,
  options?: FindByIdOptions,
): Promise<boolean> {
  return requests.run('exists', table, async (call) => {
    const query = byId(call, table, id, table.primaryKey.column, options?.includeDeleted);
    const rows = await call.rows(query.limit(1));
    return rows.length > 0;
  });
}

/** A GET of `columns` of the row with the checked `id`, live only unless `includeDeleted`. */
function byId(
  call: SupabaseCall,
  table: TableDefinition<any>,
  id: string,
  columns: string,
  includeDeleted: boolean | undefined,
) {
  const key = checkId(table, id);
  call.note(key);
  const query = call.client.from(table.name).select(columns).eq(table.primaryKey.column, key);
  return includeDeleted ? query : liveOnly(query, table);
}

/** The rows of a plan, as entities. */
async function select<T extends IBaseEntity>(
  call: SupabaseCall,
  plan: QueryPlan,
  table: TableDefinition<T>,
): Promise<T[]> {
  if (matchesNothing(plan)) return [];
  call.noteConditions(plan.conditions);
  const rows = await call.rows(
    applyPlan(call.client.from(table.name).select(selectList(plan)), plan),
  );
  const mapper = rowMapper(table);
  return rows.map((r) => mapper.toEntity(r));
}

/** The `select=` of a plan: the columns it reads (`select`), or `*`. */
function selectList(plan: QueryPlan): string {
  return plan.columns ? plan.columns.map((c) => c.column).join(',') : '*';
}

/** The number of rows a plan's conditions match: a HEAD request with an exact count. */
async function countRows(
  call: SupabaseCall,
  plan: QueryPlan,
  table: TableDefinition<any>,
): Promise<number> {
  if (matchesNothing(plan)) return 0;
  call.noteConditions(plan.conditions);
  const query = applyConditions(
    call.client.from(table.name).select('*', { count: 'exact', head: true }),
    plan.conditions,
  );
  return call.countOf(await call.send(query));
}
