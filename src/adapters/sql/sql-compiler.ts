import type { Condition, OrderKey, QueryPlan } from '../../query/query-plan';
import type { WriteValues } from '../../query/normalize-write';
import type { ColumnDefinition, IBaseEntity, TableDefinition } from '../../schema/table-definition';
import { quoteIdentifier as q, type SqlDialect } from './sql-dialect';
import { conditionParams, Placeholders, whereText, type SearchIndex } from './sql-conditions';
import { includeConditionParams, includeParams, includeText, pagedParent } from './sql-include';
import { rowMapper } from './row-mapper';

export { usesSearchIndex, type SearchIndex } from './sql-conditions';

/**
 * Turns plans into SQL text and parameter lists. Text depends only on a plan's shape, so callers
 * cache prepared statements by `plan.shape`; `planParams` walks the plan in the same order as
 * `whereText` to produce the values.
 */

/** ` ORDER BY …` for a plan's order keys, or '' when there are none. */
export function orderText(orderBy: readonly OrderKey[], dialect: SqlDialect): string {
  // NULLS LAST/FIRST only where NULLs can occur: on SQLite it stops an index from giving the
  // order (a temp B-tree sort of every matching row), and on NOT NULL columns it changes nothing.
  return orderBy.length === 0
    ? ''
    : ` ORDER BY ${orderBy
        .map(
          (k) =>
            `${q(k.column.column)} ${k.direction.toUpperCase()}${k.column.nullable ? dialect.nullsOrder(k.direction) : ''}`,
        )
        .join(', ')}`;
}

/** The parameters of a plan, in placeholder order; `index` as given to {@link selectText}. */
export function planParams(plan: QueryPlan, dialect: SqlDialect, index?: SearchIndex): unknown[] {
  const included = includeParams(plan, includeConditionParams(dialect));
  return withPage(plan, [...included, ...conditionParams(plan.conditions, dialect, index)]);
}

/** `params` followed by the plan's LIMIT and OFFSET parameters, where it has them. */
function withPage(plan: QueryPlan, params: unknown[]): unknown[] {
  if (plan.limit !== undefined) params.push(plan.limit);
  if (plan.offset !== undefined) params.push(plan.offset);
  return params;
}

/** As {@link planParams}, with values compared against sensitive columns replaced by `redacted`. */
export function redactedPlanParams(
  plan: QueryPlan,
  dialect: SqlDialect,
  redacted: string,
  index?: SearchIndex,
): unknown[] {
  const included = includeParams(plan, (conditions) =>
    redactedConditionParams(conditions, dialect, redacted, undefined),
  );
  const params = redactedConditionParams(plan.conditions, dialect, redacted, index);
  return withPage(plan, [...included, ...params]);
}

/** The conditions' parameters, with values compared against sensitive columns redacted. */
function redactedConditionParams(
  conditions: readonly Condition[],
  dialect: SqlDialect,
  redacted: string,
  index: SearchIndex | undefined,
): unknown[] {
  // Per condition, from the real values: a condition may bind several (a timestamp's bucket).
  return conditions.flatMap((c): unknown[] => {
    if (c.kind === 'any')
      return c.branches.flatMap((b) => redactedConditionParams(b, dialect, redacted, index));
    if (c.kind === 'not') return redactedConditionParams(c.conditions, dialect, redacted, index);
    if (c.kind === 'related') {
      return redactedConditionParams([...c.scope, ...c.match], dialect, redacted, undefined);
    }
    const values = conditionParams([c], dialect, index);
    const sensitive =
      (c.kind === 'compare' || c.kind === 'like' || c.kind === 'in') && c.column.sensitive;
    return sensitive ? values.map(() => redacted) : values;
  });
}

/**
 * SELECT text for a read plan; columns come back in `table.columns` order. With `index`, a search
 * it serves is narrowed by it first (the text then depends on {@link usesSearchIndex} too).
 */
export function selectText(plan: QueryPlan, dialect: SqlDialect, index?: SearchIndex): string {
  const ph = new Placeholders(dialect);
  const included = includeText(plan, dialect, ph);
  const where = whereText(plan.conditions, dialect, ph, index);
  const parent = pagedParent(plan, ph, where, orderText(plan.orderBy, dialect));
  let text = `SELECT ${readList(plan, dialect)}${included}${parent.from}`;
  if (parent.page) return text;
  if (plan.limit !== undefined) text += ` LIMIT ${ph.take()}`;
  if (plan.offset !== undefined) text += ` OFFSET ${ph.take()}`;
  return text;
}

/**
 * One statement for an offset page: its rows, each carrying the total of matching rows as an
 * extra last column (an uncorrelated subquery, evaluated once). One statement reads one snapshot
 * on every engine and at every isolation level, so the total always agrees with the rows. An
 * empty page carries no total; see {@link pageTotal}. Params: {@link pageParams}.
 */
export function pageText(plan: QueryPlan, dialect: SqlDialect, index?: SearchIndex): string {
  const ph = new Placeholders(dialect);
  const from = ` FROM ${q(plan.table.name)}`;
  const total = `(SELECT COUNT(*)${from}${whereText(plan.conditions, dialect, ph, index)})`;
  const included = includeText(plan, dialect, ph);
  const where = whereText(plan.conditions, dialect, ph, index);
  // The page is read first, as a subquery: with the total beside the columns in one SELECT list,
  // PostgreSQL projects every row the OFFSET skips (a page at row 90,000 took 27 ms against
  // 22 ms for the page and the count as two statements); read first, only the page's rows are.
  const parent = pagedParent(plan, ph, where, orderText(plan.orderBy, dialect), true);
  let text = `SELECT ${readList(plan, dialect)}, ${total}${included}${parent.from}`;
  if (parent.page) return text;
  if (plan.limit !== undefined) text += ` LIMIT ${ph.take()}`;
  if (plan.offset !== undefined) text += ` OFFSET ${ph.take()}`;
  return text;
}

/**
 * The parameters of {@link pageText}: the conditions' (count), the includes', the conditions'
 * again (rows), then the page.
 */
export function pageParams(plan: QueryPlan, dialect: SqlDialect, index?: SearchIndex): unknown[] {
  const conditions = conditionParams(plan.conditions, dialect, index);
  const included = includeParams(plan, includeConditionParams(dialect));
  return withPage(plan, [...conditions, ...included, ...conditions]);
}

/** As {@link pageParams}, with values compared against sensitive columns replaced by `redacted`. */
export function redactedPageParams(
  plan: QueryPlan,
  dialect: SqlDialect,
  redacted: string,
  index?: SearchIndex,
): unknown[] {
  const conditions = redactedConditionParams(plan.conditions, dialect, redacted, index);
  const included = includeParams(plan, (list) =>
    redactedConditionParams(list, dialect, redacted, undefined),
  );
  return withPage(plan, [...conditions, ...included, ...conditions]);
}

/** The total a row of {@link pageText} carries (PostgreSQL returns COUNT's bigint as text). */
export function pageTotal(plan: QueryPlan, row: readonly unknown[]): number {
  return Number(row[(plan.columns ?? plan.table.columns).length]);
}

/** The columns a plan reads, as a SELECT list: the selected ones, or the table's whole list. */
function readList(plan: QueryPlan, dialect: SqlDialect): string {
  return plan.columns
    ? plan.columns.map((c) => q(c.column)).join(', ')
    : tableSql(plan.table, dialect).columnList;
}

/** SELECT COUNT(*) text for a count plan; `index` as for {@link selectText}. */
export function countText(plan: QueryPlan, dialect: SqlDialect, index?: SearchIndex): string {
  const ph = new Placeholders(dialect);
  return `SELECT COUNT(*) AS count FROM ${q(plan.table.name)}${whereText(plan.conditions, dialect, ph, index)}`;
}

/**
 * Everything about one table that never changes: fixed statement texts, the column list, the row
 * mapper. Built once per table and dialect.
 */
export class TableSql<T extends IBaseEntity = IBaseEntity> {
  readonly columnList: string;
  readonly insert: string;
  readonly findById: string;
  readonly findByIdWithDeleted: string;
  readonly exists: string;
  readonly existsWithDeleted: string;
  readonly findByIds: string;
  readonly findByIdsWithDeleted: string;
  /** Params: deletedAt, updatedAt, id. */
  readonly softDelete: string;
  /** Params: updatedAt, id. */
  readonly restore: string;
  readonly hardDelete: string;
  /** The version of the live row whose id is the param; empty on a table that is not versioned. */
  readonly liveVersion: string;
  /** Turns a row of values in `table.columns` order into an entity. */
  readonly mapRow: (row: readonly unknown[]) => T;
  /** Turns a row just written (normalized values in `table.columns` order, not encoded) into an entity. */
  readonly entityOfWritten: (row: readonly unknown[]) => T;
  private readonly live: string;
  /** `, "version" = "version" + 1` on a versioned table: every change of a row bumps it. */
  private readonly bump: string;
  private readonly memo = new Map<string, string>();
  private readonly projections = new Map<string, (row: readonly unknown[]) => T>();

  constructor(
    readonly table: TableDefinition<T>,
    readonly dialect: SqlDialect,
  ) {
    const p = (i: number) => dialect.placeholder(i);
    const name = q(table.name);
    const id = q(table.primaryKey.column);
    this.live = table.softDelete ? ` AND ${q('deleted_at')} IS NULL` : '';
    const version = q('version');
    this.bump = table.versioned ? `, ${version} = ${name}.${version} + 1` : '';
    this.columnList = table.columns.map((c) => q(c.column)).join(', ');
    this.insert = `INSERT INTO ${name} (${this.columnList}) VALUES (${table.columns.map((_, i) => p(i + 1)).join(', ')})`;
    this.findByIdWithDeleted = `SELECT ${this.columnList} FROM ${name} WHERE ${id} = ${p(1)}`;
    this.findById = this.findByIdWithDeleted + this.live;
    this.existsWithDeleted = `SELECT 1 FROM ${name} WHERE ${id} = ${p(1)}`;
    this.exists = this.existsWithDeleted + this.live;
    const inIds = dialect.inList(table.primaryKey, id, p(1));
    this.findByIdsWithDeleted = `SELECT ${this.columnList} FROM ${name} WHERE ${inIds}`;
    this.findByIds = this.findByIdsWithDeleted + this.live;
    this.softDelete = table.softDelete
      ? `UPDATE ${name} SET ${q('deleted_at')} = ${p(1)}, ${q('updated_at')} = ${p(2)}${this.bump} WHERE ${id} = ${p(3)}${this.live}`
      : '';
    this.restore = table.softDelete
      ? `UPDATE ${name} SET ${q('deleted_at')} = NULL, ${q('updated_at')} = ${p(1)}${this.bump} WHERE ${id} = ${p(2)} AND ${q('deleted_at')} IS NOT NULL RETURNING ${this.columnList}`
      : '';
    this.hardDelete = `DELETE FROM ${name} WHERE ${id} = ${p(1)}`;
    this.liveVersion = table.versioned
      ? `SELECT ${version} FROM ${name} WHERE ${id} = ${p(1)}${this.live}`
      : '';
    this.mapRow = rowMapper(table, dialect);
    this.entityOfWritten = rowMapper(table, dialect, table.columns, () => undefined);
  }

  /**
   * The row mapper of a plan: {@link mapRow}, or for a plan that reads only some columns (`select`),
   * one that sets just those, built once per column set.
   */
  mapperOf(plan: QueryPlan): (row: readonly unknown[]) => T {
    if (!plan.columns) return this.mapRow;
    const key = plan.columns.map((c) => c.column).join(',');
    let mapper = this.projections.get(key);
    if (!mapper)
      this.projections.set(key, (mapper = rowMapper(this.table, this.dialect, plan.columns)));
    return mapper;
  }

  /** Parameters of `insert` for a normalized create. */
  insertParams(values: WriteValues): unknown[] {
    return this.table.columns.map((c) => this.dialect.encode(c, values.get(c) ?? null));
  }

  /** Parameters of `insert` for a normalized create row (values in `table.columns` order). */
  encodeRow(row: readonly unknown[]): unknown[] {
    const { columns } = this.table;
    const { dialect } = this;
    const params: unknown[] = [];
    for (let i = 0; i < columns.length; i++) params.push(dialect.encode(columns[i], row[i]));
    return params;
  }

  /** `params` of a statement over `columns`, with sensitive columns' values replaced by `redacted`. */
  redact(
    columns: readonly ColumnDefinition[],
    params: readonly unknown[],
    redacted: string,
  ): unknown[] {
    return params.map((value, i) => (columns[i]?.sensitive ? redacted : value));
  }

  /**
   * UPDATE … SET the given columns (and bumps the version of a versioned table) WHERE id = the
   * param after them, on a live row, RETURNING the row. `atVersion`: only while the version is
   * the last param (optimistic locking).
   */
  update(columns: readonly ColumnDefinition[], atVersion = false): string {
    // Looked up on every update: the key is built without an array per call.
    let key = atVersion ? 'v:' : 'u:';
    for (const column of columns) key += `${column.column},`;
    let text = this.memo.get(key);
    if (text === undefined) {
      const p = (i: number) => this.dialect.placeholder(i);
      const sets = columns.map((c, i) => `${q(c.column)} = ${p(i + 1)}`).join(', ');
      const guard = atVersion ? ` AND ${q('version')} = ${p(columns.length + 2)}` : '';
      text = `UPDATE ${q(this.table.name)} SET ${sets}${this.bump} WHERE ${q(this.table.primaryKey.column)} = ${p(columns.length + 1)}${this.live}${guard} RETURNING ${this.columnList}`;
      this.memo.set(key, text);
    }
    return text;
  }

  /**
   * `UPDATE … SET counter = counter + $1, <set columns> WHERE id = $n` on a live row, RETURNING the
   * row: one statement, so concurrent increments never lose one. It changes the row only while the
   * counter is between two bounds (`incrementBounds` in query/operation-input.ts), so the result stays in the column's
   * range. Params: the step, the set columns' values in order, the id, then the two bounds.
   */
  increment(counter: ColumnDefinition, setColumns: readonly ColumnDefinition[]): string {
    const key = `i:${counter.column}:${setColumns.map((c) => c.column).join(',')}`;
    let text = this.memo.get(key);
    if (text === undefined) {
      const p = (i: number) => this.dialect.placeholder(i);
      const sets = [
        `${q(counter.column)} = ${q(counter.column)} + ${p(1)}`,
        ...setColumns.map((c, i) => `${q(c.column)} = ${p(i + 2)}`),
      ].join(', ');
      const id = p(setColumns.length + 2);
      const within = `${q(counter.column)} BETWEEN ${p(setColumns.length + 3)} AND ${p(setColumns.length + 4)}`;
      text = `UPDATE ${q(this.table.name)} SET ${sets}${this.bump} WHERE ${q(this.table.primaryKey.column)} = ${id}${this.live} AND ${within} RETURNING ${this.columnList}`;
      this.memo.set(key, text);
    }
    return text;
  }

  /**
   * INSERT … ON CONFLICT on a live row with the same `conflict` value: update the given columns
   * (bumping the version of a versioned table), or do nothing (no row returned). The partial
   * unique index is named by its predicate. With `ordered`, the update happens only while the
   * stored value of that column is null or at most the inserted one; else no row is returned.
   */
  upsert(
    conflict: ColumnDefinition,
    updateColumns: readonly ColumnDefinition[] | null,
    ordered?: ColumnDefinition,
  ): string {
    const columns = updateColumns?.map((c) => c.column).join(',') ?? '-';
    const key = `x:${conflict.column}:${columns}:${ordered?.column ?? ''}`;
    let text = this.memo.get(key);
    if (text === undefined) {
      const target = `(${q(conflict.column)})${this.table.softDelete ? ` WHERE ${q('deleted_at')} IS NULL` : ''}`;
      const stored = ordered ? `${q(this.table.name)}.${q(ordered.column)}` : '';
      const newer = ordered
        ? ` WHERE ${stored} IS NULL OR ${stored} <= excluded.${q(ordered.column)}`
        : '';
      const action = updateColumns
        ? `DO UPDATE SET ${updateColumns.map((c) => `${q(c.column)} = excluded.${q(c.column)}`).join(', ')}${this.bump}${newer}`
        : 'DO NOTHING';
      text = `${this.insert} ON CONFLICT ${target} ${action} RETURNING ${this.columnList}`;
      this.memo.set(key, text);
    }
    return text;
  }

  /** SELECT the live row whose `column` equals the first parameter. */
  findLiveBy(column: ColumnDefinition): string {
    const key = `f:${column.column}`;
    let text = this.memo.get(key);
    if (text === undefined) {
      const where = `${q(column.column)} = ${this.dialect.placeholder(1)}`;
      text = `SELECT ${this.columnList} FROM ${q(this.table.name)} WHERE ${where}${this.live}`;
      this.memo.set(key, text);
    }
    return text;
  }
}

const cache = new WeakMap<TableDefinition<any>, Map<string, TableSql<any>>>();

/** The {@link TableSql} of a table for a dialect, built on first use and kept with the table. */
export function tableSql<T extends IBaseEntity>(
  table: TableDefinition<T>,
  dialect: SqlDialect,
): TableSql<T> {
  let byDialect = cache.get(table);
  if (!byDialect) cache.set(table, (byDialect = new Map()));
  let sql = byDialect.get(dialect.name);
  if (!sql) byDialect.set(dialect.name, (sql = new TableSql(table, dialect)));
  return sql as TableSql<T>;
}
