import { AggregatesNotEnabledException, QueryException } from '../../exceptions';
import {
  aggregatesNothing,
  averageOf,
  buildAggregateRow,
  emptyAggregate,
  planAggregate,
  type AggregatePlan,
} from '../../query/plan-aggregate';
import type { ColumnDefinition, IBaseEntity, TableDefinition } from '../../schema/table-definition';
import type { AggregateOptions, AggregateRow } from '../aggregate-options';
import { applyConditions, applyOrder } from './supabase-query.translator';
import type { SupabaseRequests } from './supabase-requests';
import { rowMapper, type PostgrestRow } from './supabase-row.mapper';

/**
 * Aggregates as one PostgREST GET with aggregate functions in `select` (PostgREST ≥ 12, and only
 * where the server sets `db-aggregates-enabled`): the group columns, which PostgREST groups by
 * itself, then each function under an alias holding a `-`, which no column name can, so no alias
 * meets a group column. Sums are cast to text (`amount.sum()::text`): PostgreSQL's sum is an
 * exact numeric, and a JSON number past 2^53 would lose digits in JSON.parse.
 */

/** PostgREST's answer when the server does not enable aggregate functions (HTTP 400). */
export const PGRST_AGGREGATES_DISABLED = 'PGRST123';

/** Why aggregate() cannot run, and the ways out. */
export const SUPABASE_NO_AGGREGATES =
  "aggregate() needs PostgREST's aggregate functions, which are off unless the server sets " +
  'db-aggregates-enabled (on Supabase: ALTER ROLE authenticator SET pgrst.db_aggregates_enabled ' +
  "= 'true'; NOTIFY pgrst, 'reload config'). Enable them and create the adapter with " +
  '`aggregatesEnabled: true`, or compute the aggregate in a Postgres function called with rpc().';

/** The `select` of an aggregate request. */
export function aggregateSelect(plan: AggregatePlan): string {
  const items = plan.groupBy.map((column) => column.column);
  if (plan.count) items.push('count-rows:count()');
  for (const column of [...plan.sum, ...plan.avg]) {
    const item = `sum-${column.column}:${column.column}.sum()::text`;
    if (!items.includes(item)) items.push(item);
  }
  for (const column of plan.avg) items.push(`count-${column.column}:${column.column}.count()`);
  for (const column of plan.min) items.push(`min-${column.column}:${column.column}.min()`);
  for (const column of plan.max) items.push(`max-${column.column}:${column.column}.max()`);
  // PostgREST groups only when an aggregate is selected: distinct groups alone need one too.
  if (items.length === plan.groupBy.length) items.push('count-rows:count()');
  return items.join(',');
}

/** The contract's `aggregate` on Supabase; `enabled` is the adapter's `aggregatesEnabled`. */
export function aggregate<T extends IBaseEntity, const O extends AggregateOptions<T>>(
  requests: SupabaseRequests,
  enabled: boolean,
  options: O,
  table: TableDefinition<T>,
): Promise<AggregateRow<T, O>[]> {
  return requests.run('aggregate', table, async (call) => {
    if (!enabled) throw new AggregatesNotEnabledException(SUPABASE_NO_AGGREGATES);
    const plan = planAggregate(table, options, call.limits);
    if (aggregatesNothing(plan)) return emptyAggregate(plan) as AggregateRow<T, O>[];
    call.noteConditions(plan.rows.conditions);
    const groups = plan.groupBy.map((column) => ({ column, direction: 'asc' as const }));
    const query = applyOrder(
      applyConditions(
        call.client.from(table.name).select(aggregateSelect(plan)),
        plan.rows.conditions,
      ),
      groups,
    );
    const result = await call.send(query);
    if (result.error?.code === PGRST_AGGREGATES_DISABLED) {
      throw new AggregatesNotEnabledException(SUPABASE_NO_AGGREGATES, { cause: result.error });
    }
    const rows = call.ok(result) as PostgrestRow[];
    return rows.map((row) => resultRow(plan, row)) as AggregateRow<T, O>[];
  });
}

/** A PostgREST row of the aggregate as a result row of the contract. */
function resultRow(plan: AggregatePlan, row: PostgrestRow): Record<string, unknown> {
  const mapper = rowMapper(plan.rows.table);
  const stored = (column: ColumnDefinition, key: string) => mapper.decode(column, row[key] ?? null);
  const sum = (column: ColumnDefinition) => {
    const value = row[`sum-${column.column}`] ?? null;
    if (value !== null && (typeof value !== 'string' || !/^-?\d+$/.test(value))) {
      throw new QueryException(
        `${plan.rows.table.name}: the sum of ${column.property} is not an integer`,
      );
    }
    return value;
  };
  return buildAggregateRow(plan, {
    group: (column) => stored(column, column.column),
    count: () => Number(row['count-rows']),
    sum,
    avg: (column) => averageOf(sum(column), Number(row[`count-${column.column}`])),
    min: (column) => stored(column, `min-${column.column}`),
    max: (column) => stored(column, `max-${column.column}`),
  });
}
