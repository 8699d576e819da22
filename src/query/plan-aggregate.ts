import type { AggregateOptions } from '../adapters/aggregate-options';
import { ValidationException } from '../exceptions';
import type { ColumnDefinition, TableDefinition } from '../schema/table-definition';
import { isPlainObject, requireQueryable } from './plan-filters';
import { planCount, type QueryLimits } from './plan-query';
import type { QueryPlan } from './query-plan';

/** The functions an aggregate may apply to a column. */
export type AggregateFunction = 'sum' | 'avg' | 'min' | 'max';

const FUNCTIONS: readonly AggregateFunction[] = ['sum', 'avg', 'min', 'max'];

const OPTION_KEYS: ReadonlySet<string> = new Set([
  'filters',
  'includeDeleted',
  'groupBy',
  'count',
  ...FUNCTIONS,
]);

/** Names a result row uses for its own keys, so no group property may have them. */
const RESULT_KEYS: ReadonlySet<string> = new Set(['count', ...FUNCTIONS]);

/**
 * A validated aggregate: which rows (the conditions of a count plan), grouped by which columns,
 * and what to compute. Every adapter translates it into its own query language.
 */
export interface AggregatePlan {
  /** The rows: a count plan's conditions (soft delete included), no order, no page. */
  rows: QueryPlan;
  groupBy: readonly ColumnDefinition[];
  count: boolean;
  sum: readonly ColumnDefinition[];
  avg: readonly ColumnDefinition[];
  min: readonly ColumnDefinition[];
  max: readonly ColumnDefinition[];
}

/** Which column types each function takes, and how to say so. */
const ACCEPTS: Record<AggregateFunction, { types: readonly string[]; what: string }> = {
  sum: { types: ['integer'], what: 'integer' },
  avg: { types: ['integer'], what: 'integer' },
  min: { types: ['integer', 'timestamp'], what: 'integer or timestamp' },
  max: { types: ['integer', 'timestamp'], what: 'integer or timestamp' },
};

/** The distinct columns of a list of properties, each checked by `check`. */
function columnList(
  table: TableDefinition<any>,
  list: unknown,
  key: string,
  check: (column: ColumnDefinition, property: string) => void,
): ColumnDefinition[] {
  if (list === undefined) return [];
  if (!Array.isArray(list))
    throw new ValidationException(`${key} must be an array of property names`, key);
  const columns: ColumnDefinition[] = [];
  for (const [index, property] of Array.from(list).entries()) {
    if (typeof property !== 'string')
      throw new ValidationException(`${key}[${index}] must be a property name`, `${key}[${index}]`);
    const column = table.column(property);
    if (!column)
      throw new ValidationException(`Unknown property "${property}" for ${table.name}`, property);
    requireQueryable(column, property, 'aggregated');
    check(column, property);
    if (!columns.includes(column)) columns.push(column);
  }
  return columns;
}

function checkGroupColumn(column: ColumnDefinition, property: string): void {
  if (column.type === 'json')
    throw new ValidationException(`Cannot group by JSON field "${property}"`, property);
  if (RESULT_KEYS.has(property)) {
    throw new ValidationException(
      `Cannot group by "${property}": a result row uses that name for its own values`,
      property,
    );
  }
}

/**
 * Validates aggregate options against a table and turns them into an {@link AggregatePlan}.
 * Throws ValidationException naming the first bad field.
 */
export function planAggregate(
  table: TableDefinition<any>,
  options: AggregateOptions<any>,
  limits: QueryLimits,
): AggregatePlan {
  if (!isPlainObject(options as unknown))
    throw new ValidationException('aggregate options must be an object', 'options');
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key))
      throw new ValidationException(`aggregate does not take "${key}"`, key);
  }
  if (options.count !== undefined && typeof options.count !== 'boolean')
    throw new ValidationException('count must be a boolean', 'count');
  const calls = {} as Record<AggregateFunction, ColumnDefinition[]>;
  for (const fn of FUNCTIONS) {
    const { types, what } = ACCEPTS[fn];
    calls[fn] = columnList(table, options[fn], fn, (column, property) => {
      if (!types.includes(column.type))
        throw new ValidationException(`${fn} takes ${what} properties only`, property);
    });
  }
  const groupBy = columnList(table, options.groupBy, 'groupBy', checkGroupColumn);
  const count = options.count === true;
  if (!count && groupBy.length === 0 && FUNCTIONS.every((fn) => calls[fn].length === 0)) {
    throw new ValidationException(
      'aggregate needs count, sum, avg, min, max or groupBy',
      'options',
    );
  }
  const rows = planCount(table, options.filters, options.includeDeleted, limits);
  return { rows, groupBy, count, ...calls };
}

/** Whether the plan's rows can match nothing, so no statement or request needs to be sent. */
export function aggregatesNothing(plan: AggregatePlan): boolean {
  return plan.rows.conditions.some((c) => c.kind === 'never');
}

/**
 * The result of an aggregate over no rows: no row when grouped, else the one row every SQL
 * database answers, with a count of 0 and null for everything else.
 */
export function emptyAggregate(plan: AggregatePlan): Record<string, unknown>[] {
  if (plan.groupBy.length > 0) return [];
  return [
    buildAggregateRow(plan, {
      group: () => null,
      count: () => 0,
      sum: () => null,
      avg: () => null,
      min: () => null,
      max: () => null,
    }),
  ];
}

/** Reads one value of a result row; how depends on the provider's row format. */
export type AggregateReader = {
  group: (column: ColumnDefinition) => unknown;
  count: () => number;
} & {
  [F in AggregateFunction]: (column: ColumnDefinition) => unknown;
};

/** A result row in the contract's shape, its values taken from `read`. */
export function buildAggregateRow(
  plan: AggregatePlan,
  read: AggregateReader,
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const column of plan.groupBy) row[column.property] = read.group(column);
  if (plan.count) row.count = read.count();
  for (const fn of FUNCTIONS) {
    if (plan[fn].length === 0) continue;
    const values: Record<string, unknown> = {};
    for (const column of plan[fn]) values[column.property] = read[fn](column);
    row[fn] = values;
  }
  return row;
}

/**
 * The average of `count` values summing to `sum` (a decimal string): the exact sum divided by
 * the count, as a double, so every provider computes the very same number.
 */
export function averageOf(sum: string | null, count: number): number | null {
  return sum === null || count === 0 ? null : Number(BigInt(sum)) / count;
}
