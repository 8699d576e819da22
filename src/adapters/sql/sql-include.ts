import type { Condition, IncludePlan, QueryPlan } from '../../query/query-plan';
import type { ColumnDefinition, TableDefinition } from '../../schema/table-definition';
import { rowMapper } from './row-mapper';
import { orderText } from './sql-compiler';
import { conditionParams, conditionTexts, type Placeholders } from './sql-conditions';
import { quoteIdentifier as q, type SqlDialect } from './sql-dialect';

/**
 * Related rows read in the parent's statement (`include`): per relation, one JSON array of the
 * related rows (each a JSON array of its columns) aggregated next to each parent row by a
 * correlated subquery (json_agg on PostgreSQL, json_group_array on SQLite: the dialect's
 * {@link SqlDialect.relatedRows}). The arrays are mapped back through the same column decoders
 * as a plain read, so the related entities are exactly what reading them would return.
 */

/**
 * The select-list items a plan's includes add ('' when none), placeholders taken in text order:
 * per include, a correlated subquery aggregating the related rows. Not a LATERAL join: a join is
 * computed for every row the parent's scan passes, the skipped rows of an OFFSET included, where
 * a select-list subquery over a paged parent (see {@link pagedParent}) runs once per row returned.
 */
export function includeText(plan: QueryPlan, dialect: SqlDialect, ph: Placeholders): string {
  let columns = '';
  const sql = dialect.relatedRows;
  for (const include of plan.include ?? []) {
    const alias = ph.alias();
    const child = include.plan;
    const row = sql.row(include.columns.map((c) => `${alias}.${q(c.column)}`));
    const aggregate = sql.aggregate(row, orderText(child.orderBy, dialect));
    const { relation } = include;
    const link = `${alias}.${q(relation.targetColumn.column)} = ${q(plan.table.name)}.${q(relation.sourceColumn.column)}`;
    const where = [link, ...conditionTexts(child.conditions, dialect, ph, alias)].join(' AND ');
    const from = `${q(child.table.name)} AS ${alias} WHERE ${where}`;
    const rows =
      child.limit === undefined
        ? from
        : `(SELECT * FROM ${from}${orderText(child.orderBy, dialect)} LIMIT ${ph.take()}) AS ${alias}`;
    columns += `, (SELECT ${aggregate} FROM ${rows})`;
  }
  return columns;
}

/**
 * ` FROM …` for a plan's rows: the table, or where the plan has includes and a page, the page
 * itself as a subquery under the table's name, so the includes run for its rows only. `where`
 * and `order` are the plan's; the page's placeholders are taken here, after the includes'.
 * `pageFirst` asks for the subquery whenever there is a page (see pageText).
 */
export function pagedParent(
  plan: QueryPlan,
  ph: Placeholders,
  where: string,
  order: string,
  pageFirst = false,
): { from: string; page: boolean } {
  const name = q(plan.table.name);
  if ((!plan.include && !pageFirst) || plan.limit === undefined)
    return { from: ` FROM ${name}${where}${order}`, page: false };
  let page = ` LIMIT ${ph.take()}`;
  if (plan.offset !== undefined) page += ` OFFSET ${ph.take()}`;
  return {
    from: ` FROM (SELECT * FROM ${name}${where}${order}${page}) AS ${name}${order}`,
    page: true,
  };
}

/**
 * The parameters of {@link includeText}, in its placeholder order; `paramsOf` gives a list of
 * conditions' (real or redacted).
 */
export function includeParams(
  plan: QueryPlan,
  paramsOf: (conditions: readonly Condition[]) => unknown[],
): unknown[] {
  const params: unknown[] = [];
  for (const { plan: child } of plan.include ?? []) {
    params.push(...paramsOf(child.conditions));
    if (child.limit !== undefined) params.push(child.limit);
  }
  return params;
}

/**
 * Maps rows of a plan with includes: each entity from `mapRow`, with each included relation set
 * from the JSON value found `offset` columns after the columns read (an array, or one entity or null).
 */
export function withIncluded<T>(
  plan: QueryPlan,
  dialect: SqlDialect,
  mapRow: (row: readonly unknown[]) => T,
  offset = 0,
): (row: readonly unknown[]) => T {
  const include = plan.include;
  if (!include) return mapRow;
  // The includes follow the columns read: the selected ones (`select`), else all of the table's.
  const first = (plan.columns ?? plan.table.columns).length + offset;
  const mappers = include.map((i) => relatedMapper(i, dialect));
  return (row) => {
    const entity = mapRow(row) as Record<string, unknown>;
    include.forEach(({ relation }, k) => {
      const related = dialect.relatedRows.parse(row[first + k]).map(mappers[k]);
      entity[relation.name] = relation.single ? (related[0] ?? null) : related;
    });
    return entity as T;
  };
}

const mappers = new WeakMap<TableDefinition<any>, Map<string, (row: readonly unknown[]) => any>>();

/** The mapper of an include's JSON rows, built once per table, dialect and column list. */
function relatedMapper(include: IncludePlan, dialect: SqlDialect) {
  const table = include.plan.table;
  let byColumns = mappers.get(table);
  if (!byColumns) mappers.set(table, (byColumns = new Map()));
  const key = `${dialect.name}:${include.columns.map((c) => c.column).join(',')}`;
  let mapper = byColumns.get(key);
  if (!mapper) {
    const decoderOf = (column: ColumnDefinition) => {
      const fromJson = dialect.relatedRows.fromJson(column);
      const decode = dialect.decoder(column, table);
      if (!fromJson) return decode;
      return decode ? (value: unknown) => decode(fromJson(value)) : fromJson;
    };
    byColumns.set(key, (mapper = rowMapper(table, dialect, include.columns, decoderOf)));
  }
  return mapper;
}

/** As conditionParams for an include's conditions (no search index: that is the parent's). */
export function includeConditionParams(dialect: SqlDialect) {
  return (conditions: readonly Condition[]) => conditionParams(conditions, dialect, undefined);
}
