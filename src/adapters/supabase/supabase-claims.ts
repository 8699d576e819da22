import { checkClaim, type CheckedClaim } from '../../query/claim-input';
import type { IBaseEntity, TableDefinition } from '../../schema/table-definition';
import type { ClaimOptions } from '../database-adapter.interface';
import {
  applyConditions,
  applyPlan,
  matchesNothing,
  quoteValue,
} from './supabase-query.translator';
import type { SupabaseCall, SupabaseRequests } from './supabase-requests';
import { rowMapper, type PostgrestRow } from './supabase-row.mapper';

/**
 * `claim` over PostgREST, which has no `UPDATE … LIMIT` and no row locks to skip: a GET of up to
 * `limit` candidates (the claim's filters, order and limit, plus "lease null or ended" by this
 * client's clock), then one PATCH per candidate, sent together. Each PATCH repeats the filters and
 * compares and swaps: it changes the row only while its lease (and counter) still hold the values
 * the GET read. A PATCH is one UPDATE: of two racing for one row, the second re-reads the row
 * after the first commits, no longer matches, and PostgREST answers it `[]`. That candidate is
 * left out; no row is ever claimed twice, but a claim may return fewer rows than were free.
 */
export function claim<T extends IBaseEntity>(
  requests: SupabaseRequests,
  options: ClaimOptions<T>,
  table: TableDefinition<T>,
): Promise<T[]> {
  return requests.run('claim', table, async (call) => {
    const now = Date.now();
    const claimed = checkClaim(table, options, call.limits, new Date(now).toISOString());
    if (matchesNothing(claimed.plan)) return [];
    call.noteConditions(claimed.plan.conditions);
    const candidates = await call.rows(candidatesQuery(call, claimed, now));
    call.noteValues(claimed.set);
    const leaseEnd = claimed.lease && new Date(now + claimed.lease.ms).toISOString();
    const won = await Promise.all(candidates.map((row) => swap(call, claimed, row, leaseEnd)));
    const mapper = rowMapper(table);
    return won.filter((row) => row !== undefined).map((row) => mapper.toEntity(row));
  });
}

/** The GET of the candidates: the plan, and a lease that is null or has ended by `now`. */
function candidatesQuery(call: SupabaseCall, claimed: CheckedClaim, now: number) {
  const { plan, lease } = claimed;
  const query = applyPlan(call.client.from(plan.table.name).select('*'), plan);
  if (!lease) return query;
  const column = lease.column.column;
  return query.or(`${column}.is.null,${column}.lte.${quoteValue(new Date(now).toISOString())}`);
}

/** The PATCH of one candidate; the row as written, or undefined when another writer got there first. */
async function swap(
  call: SupabaseCall,
  claimed: CheckedClaim,
  row: PostgrestRow,
  leaseEnd: string | undefined,
): Promise<PostgrestRow | undefined> {
  const { plan, set, lease, counter } = claimed;
  const table = plan.table;
  const values = new Map(set);
  if (lease) values.set(lease.column, leaseEnd);
  if (counter) values.set(counter.column, (row[counter.column.column] as number) + counter.by);
  let query = call.client
    .from(table.name)
    .update(rowMapper(table).toBody(values))
    .eq(table.primaryKey.column, row[table.primaryKey.column]);
  query = applyConditions(query, plan.conditions);
  for (const held of [lease?.column, counter?.column]) {
    if (!held) continue;
    // The value as PostgREST printed it, microseconds and all: compared exactly.
    const read = row[held.column];
    query = read === null ? query.is(held.column, null) : query.eq(held.column, read);
  }
  const [written] = await call.rows(query.select());
  return written;
}
