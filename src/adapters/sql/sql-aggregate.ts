import { QueryException } from '../../exceptions';
import type { AggregateOptions, AggregateRow } from '../aggregate-options';
import {
  aggregatesNothing,
  averageOf,
  buildAggregateRow,
  emptyAggregate,
  planAggregate,
  type AggregatePlan,
} from '../../query/plan-aggregate';
import type { ColumnDefinition, IBaseEntity, TableDefinition } from '../../schema/table-definition';
import { REDACTED } from '../query-observer';
import { orderText, planParams, redactedPlanParams } from './sql-compiler';
import { Placeholders, whereText, type SearchIndex } from './sql-conditions';
import { quoteIdentifier as q, type SqlDialect } from './sql-dialect';
import type { SqlEngine } from './sql-engine';

/**
 * Aggregates on every SQL engine: one `SELECT … GROUP BY … ORDER BY` statement.
 *
 * Sums are exact whatever their size. SQLite sums integers in 64 bits and fails past 2^63, and
 * drivers hand big integers back as lossy numbers, so each value is summed in two halves — its
 * quotient and remainder by 2^26 — each read as text and joined with BigInt. Every value of an
 * integer column is a safe integer (below 2^53), so neither half can overflow before 2^36 rows.
 * PostgreSQL would not need it (its sums are exact numerics), but one statement text for both
 * engines keeps the engines from drifting apart.
 */

const HALF = 67_108_864; // 2^26
const HALF_BIG = BigInt(HALF);

/** The select list of a plan and where each value lands in a result row. */
interface SelectList {
  items: string[];
  at: Map<string, number>;
}

function selectList(plan: AggregatePlan): SelectList {
  const items: string[] = [];
  const at = new Map<string, number>();
  const add = (key: string, sql: string) => {
    if (at.has(key)) return;
    at.set(key, items.length);
    items.push(sql);
  };
  for (const column of plan.groupBy) add(`g:${column.column}`, q(column.column));
  if (plan.count) add('count', 'COUNT(*)');
  for (const column of [...plan.sum, ...plan.avg]) {
    const c = q(column.column);
    add(`hi:${column.column}`, `CAST(SUM(${c} / ${HALF}) AS TEXT)`);
    add(`lo:${column.column}`, `CAST(SUM(${c} % ${HALF}) AS TEXT)`);
  }
  for (const column of plan.avg) add(`n:${column.column}`, `COUNT(${q(column.column)})`);
  for (const column of plan.min) add(`min:${column.column}`, `MIN(${q(column.column)})`);
  for (const column of plan.max) add(`max:${column.column}`, `MAX(${q(column.column)})`);
  return { items, at };
}

function statementText(
  plan: AggregatePlan,
  list: SelectList,
  dialect: SqlDialect,
  index: SearchIndex | undefined,
): string {
  const ph = new Placeholders(dialect);
  const where = whereText(plan.rows.conditions, dialect, ph, index);
  const groups = plan.groupBy.map((column) => ({ column, direction: 'asc' as const }));
  const groupBy =
    groups.length > 0 ? ` GROUP BY ${groups.map((g) => q(g.column.column)).join(', ')}` : '';
  return `SELECT ${list.items.join(', ')} FROM ${q(plan.rows.table.name)}${where}${groupBy}${orderText(groups, dialect)}`;
}

const INTEGER_TEXT = /^-?\d+$/;

/**
 * An exact sum from its two halves (decimal text, or null when no value was non-null). A half
 * that is not an integer means another program stored a fraction in the column: a
 * QueryException, rather than a sum that is not exact.
 */
function joinHalves(
  table: string,
  column: ColumnDefinition,
  high: unknown,
  low: unknown,
): string | null {
  if (high === null || high === undefined) return null;
  const [h, l] = [String(high), String(low)];
  if (!INTEGER_TEXT.test(h) || !INTEGER_TEXT.test(l)) {
    throw new QueryException(`${table}: ${column.property} holds a value that is not an integer`);
  }
  return (BigInt(h) * HALF_BIG + BigInt(l)).toString();
}

/** Turns the statement's rows into result rows, decoding values as the entity holds them. */
function resultRows(
  plan: AggregatePlan,
  list: SelectList,
  rows: readonly (readonly unknown[])[],
  dialect: SqlDialect,
): Record<string, unknown>[] {
  const table = plan.rows.table;
  const decode = (column: ColumnDefinition, value: unknown) => {
    if (value === null || value === undefined) return null;
    const decoder = dialect.decoder(column, table);
    return decoder ? decoder(value) : value;
  };
  return rows.map((row) => {
    const value = (key: string) => row[list.at.get(key)!];
    const sum = (column: ColumnDefinition) =>
      joinHalves(table.name, column, value(`hi:${column.column}`), value(`lo:${column.column}`));
    // PostgreSQL's drivers return the values of a bigint column as text.
    const stored = (key: string, column: ColumnDefinition) => {
      const decoded = decode(column, value(key));
      return column.type === 'integer' && decoded !== null ? Number(decoded) : decoded;
    };
    return buildAggregateRow(plan, {
      group: (column) => stored(`g:${column.column}`, column),
      count: () => Number(value('count')),
      sum,
      avg: (column) => averageOf(sum(column), Number(value(`n:${column.column}`))),
      min: (column) => stored(`min:${column.column}`, column),
      max: (column) => stored(`max:${column.column}`, column),
    });
  });
}

/** The contract's `aggregate` on a SQL engine. */
export async function aggregate<T extends IBaseEntity, const O extends AggregateOptions<T>>(
  engine: SqlEngine<unknown>,
  options: O,
  table: TableDefinition<T>,
): Promise<AggregateRow<T, O>[]> {
  const plan = planAggregate(table, options, engine.limits);
  if (aggregatesNothing(plan)) return emptyAggregate(plan) as AggregateRow<T, O>[];
  const { dialect } = engine;
  // Compiled per call, unlike reads: microseconds beside a statement that reads every matching
  // row, and aggregates are not a hot path.
  const list = selectList(plan);
  let statement;
  try {
    engine.assertOpen();
    // Finding a search index reads the schema, which can fail like any statement.
    const index = engine.driver.searchIndex?.(table);
    statement = {
      text: statementText(plan, list, dialect, index),
      values: planParams(plan.rows, dialect, index),
      redacted: () => redactedPlanParams(plan.rows, dialect, REDACTED, index),
    };
  } catch (error) {
    throw engine.driver.mapError(error, { table, operation: 'aggregate' });
  }
  const { rows } = await engine.run('aggregate', table, statement);
  return resultRows(plan, list, rows, dialect) as AggregateRow<T, O>[];
}
