import type {
  ComparisonOperator,
  Condition,
  CursorKey,
  PlanValue,
  QueryPlan,
} from '../../query/query-plan';
import {
  bucketBounds,
  comparesAsBuckets,
  comparisonBucket,
  millisecondBucket,
  type MillisecondBucket,
} from '../../query/timestamp';
import type { ColumnDefinition } from '../../schema/table-definition';
import { quoteIdentifier as q, type SqlDialect } from './sql-dialect';

/**
 * WHERE clauses of plans: `whereText` writes the text (it depends only on the plan's shape) and
 * `conditionParams` the values, walking the conditions in the same order.
 */

/**
 * A substring index that narrows a `search` to candidate rows before its LIKE test (on SQLite, an
 * FTS5 trigram table). The LIKE test still decides every row, so results are exactly those of the
 * scan; the index only spares reading the rows that cannot match.
 */
export interface SearchIndex {
  /** Whether the index can serve this search text (a trigram index needs 3 characters). */
  serves(text: string): boolean;
  /** A condition keeping the candidate rows; it binds one parameter, at `placeholder`. */
  filter(placeholder: string): string;
  /** The parameter of {@link filter} for a search text. */
  param(text: string): unknown;
}

/** Whether `index` serves a search of the plan, so its statement text differs from the scan's. */
export function usesSearchIndex(plan: QueryPlan, index: SearchIndex | undefined): boolean {
  return (
    index !== undefined && plan.conditions.some((c) => c.kind === 'search' && index.serves(c.text))
  );
}

/** Hands out a statement's placeholders in order: `$1, $2, …` or `?`. */
export class Placeholders {
  private next = 1;
  constructor(private readonly dialect: SqlDialect) {}
  take(): string {
    return this.dialect.placeholder(this.next++);
  }
}

const COMPARE_SQL = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** One comparison of a column with one bound parameter. */
interface Comparison {
  column: ColumnDefinition;
  op: ComparisonOperator;
  value: PlanValue;
}

/** Comparisons ANDed within each inner list, the lists ORed. */
type AnyOf = readonly (readonly Comparison[])[];

/**
 * Whether comparisons on the column treat each millisecond as a bucket of instants: a timestamp
 * not declared millisecond-exact, on an engine whose timestamps can be finer (PostgreSQL).
 */
function bucketed(column: ColumnDefinition, dialect: SqlDialect): boolean {
  return dialect.millisecondBuckets !== undefined && comparesAsBuckets(column);
}

/** The bucket of a value of `column` where comparisons on this engine need it, else undefined. */
function bucketOf(
  column: ColumnDefinition,
  value: PlanValue,
  dialect: SqlDialect,
): MillisecondBucket | undefined {
  return dialect.millisecondBuckets ? comparisonBucket(column, value) : undefined;
}

/** `column op value`: as it is, or as bounds on the value's `bucket` where there is one. */
function comparison(
  column: ColumnDefinition,
  op: ComparisonOperator,
  value: PlanValue,
  bucket: MillisecondBucket | undefined,
): AnyOf {
  if (!bucket) return [[{ column, op, value }]];
  const { any, bounds } = bucketBounds(op, bucket);
  const comparisons = bounds.map((b) => ({ column, ...b }));
  return any ? comparisons.map((c) => [c]) : [comparisons];
}

/** A compare condition's {@link comparison}. */
function compareTerms(
  condition: Extract<Condition, { kind: 'compare' }>,
  dialect: SqlDialect,
): AnyOf {
  const { column, op, value } = condition;
  return comparison(column, op, value, bucketOf(column, value, dialect));
}

/** `a AND b`, `(a AND b) OR c`, …: parenthesized wherever it holds more than one comparison. */
function anyOfText(terms: AnyOf, ph: Placeholders): string {
  const ands = terms.map((all) => {
    const text = all.map((c) => `${q(c.column.column)} ${COMPARE_SQL[c.op]} ${ph.take()}`);
    return text.length > 1 ? `(${text.join(' AND ')})` : text[0];
  });
  return ands.length > 1 ? `(${ands.join(' OR ')})` : ands[0];
}

/** The parameters of {@link anyOfText}, in the same order. */
function anyOfParams(terms: AnyOf, dialect: SqlDialect, params: unknown[]): void {
  for (const all of terms) for (const c of all) params.push(dialect.encode(c.column, c.value));
}

/** A cursor condition: a row-value bound, the key-by-key test, or both (ANDed). */
interface AfterForm {
  row?: { op: '>' | '<'; columns: readonly ColumnDefinition[]; values: PlanValue[] };
  terms?: AnyOf;
}

/**
 * Rows strictly after the cursor in the plan's order (order columns are never NULL here). Where
 * every key has one direction, a row-value comparison lets both engines walk the (order…, id)
 * index directly. Bucketed timestamp keys need the key-by-key test — k1 beyond v1, or k1 within
 * v1 and k2 beyond v2, … — which decides; the row-value bound (with a bucket's upper end for
 * descending keys) then only narrows the index range: every row after the cursor satisfies it.
 * Each key's bucket is made once, for the bound and every term that names the key.
 */
function afterForm(keys: readonly CursorKey[], dialect: SqlDialect): AfterForm {
  const asc = keys[0].direction === 'asc';
  const sameDirection = keys.every((k) => k.direction === keys[0].direction);
  const buckets = keys.map((k) => bucketOf(k.column, k.value, dialect));
  const row = sameDirection
    ? {
        op: asc ? ('>' as const) : ('<' as const),
        columns: keys.map((k) => k.column),
        values: keys.map((k, i) => (!asc && buckets[i] ? buckets[i].until : k.value)),
      }
    : undefined;
  if (row && buckets.every((b) => b === undefined)) return { row };
  const equal = keys.map((k, i) => comparison(k.column, 'eq', k.value, buckets[i])[0]);
  const terms = keys.map((key, i) => [
    ...equal.slice(0, i).flat(),
    ...comparison(key.column, key.direction === 'asc' ? 'gt' : 'lt', key.value, buckets[i])[0],
  ]);
  return { row, terms };
}

function afterText(keys: readonly CursorKey[], dialect: SqlDialect, ph: Placeholders): string {
  const { row, terms } = afterForm(keys, dialect);
  const parts: string[] = [];
  if (row) {
    const columns = row.columns.map((c) => q(c.column)).join(', ');
    parts.push(`(${columns}) ${row.op} (${row.values.map(() => ph.take()).join(', ')})`);
  }
  if (terms) parts.push(anyOfText(terms, ph));
  return parts.join(' AND ');
}

/** IN on a bucketed timestamp: the list's range (for the index), then each value's millisecond. */
function bucketedInText(
  condition: Extract<Condition, { kind: 'in' }>,
  dialect: SqlDialect,
  ph: Placeholders,
): string {
  const column = q(condition.column.column);
  const truncated = dialect.millisecondBuckets!.truncate(column);
  return `(${column} >= ${ph.take()} AND ${column} < ${ph.take()} AND ${dialect.inList(condition.column, truncated, ph.take())})`;
}

/** The parameters of {@link bucketedInText}: the list's first value and last bucket end, the list. */
function bucketedInParams(
  condition: Extract<Condition, { kind: 'in' }>,
  dialect: SqlDialect,
): unknown[] {
  const sorted = [...(condition.values as string[])].sort();
  const until = millisecondBucket(sorted[sorted.length - 1]).until;
  return [sorted[0], until, dialect.inListParam(condition.column, condition.values)];
}

function conditionText(
  condition: Condition,
  dialect: SqlDialect,
  ph: Placeholders,
  index: SearchIndex | undefined,
): string {
  switch (condition.kind) {
    case 'compare':
      return anyOfText(compareTerms(condition, dialect), ph);
    case 'in':
      return bucketed(condition.column, dialect)
        ? bucketedInText(condition, dialect, ph)
        : dialect.inList(condition.column, q(condition.column.column), ph.take());
    case 'like':
      return dialect.like(q(condition.column.column), ph.take(), condition.caseInsensitive);
    case 'null':
      return `${q(condition.column.column)} IS ${condition.isNull ? '' : 'NOT '}NULL`;
    case 'search': {
      const narrow = index?.serves(condition.text) ? `${index.filter(ph.take())} AND ` : '';
      const likes = condition.columns.map((c) => dialect.like(q(c.column), ph.take(), true));
      return narrow ? `(${narrow}(${likes.join(' OR ')}))` : `(${likes.join(' OR ')})`;
    }
    case 'after':
      return afterText(condition.keys, dialect, ph);
    case 'never':
      return '1 = 0';
    case 'any':
      return `(${condition.branches.map((b) => andText(b, dialect, ph, index)).join(' OR ')})`;
    case 'not':
      return `NOT ${andText(condition.conditions, dialect, ph, index)}`;
  }
}

/** Conditions ANDed, parenthesized: one operand of a group. */
function andText(
  conditions: readonly Condition[],
  dialect: SqlDialect,
  ph: Placeholders,
  index: SearchIndex | undefined,
): string {
  return `(${conditions.map((c) => conditionText(c, dialect, ph, index)).join(' AND ')})`;
}

/** ` WHERE …` for the conditions (ANDed), or '' when there are none. */
export function whereText(
  conditions: readonly Condition[],
  dialect: SqlDialect,
  ph: Placeholders,
  index: SearchIndex | undefined,
): string {
  return conditions.length === 0
    ? ''
    : ` WHERE ${conditions.map((c) => conditionText(c, dialect, ph, index)).join(' AND ')}`;
}

/** The parameters of {@link whereText}'s conditions, in placeholder order. */
export function conditionParams(
  conditions: readonly Condition[],
  dialect: SqlDialect,
  index: SearchIndex | undefined,
): unknown[] {
  const params: unknown[] = [];
  for (const condition of conditions) {
    switch (condition.kind) {
      case 'compare':
        anyOfParams(compareTerms(condition, dialect), dialect, params);
        break;
      case 'in':
        if (bucketed(condition.column, dialect))
          params.push(...bucketedInParams(condition, dialect));
        else params.push(dialect.inListParam(condition.column, condition.values));
        break;
      case 'like':
        params.push(condition.pattern);
        break;
      case 'search':
        if (index?.serves(condition.text)) params.push(index.param(condition.text));
        for (let i = 0; i < condition.columns.length; i++) params.push(condition.pattern);
        break;
      case 'after': {
        const { row, terms } = afterForm(condition.keys, dialect);
        row?.values.forEach((value, i) => params.push(dialect.encode(row.columns[i], value)));
        if (terms) anyOfParams(terms, dialect, params);
        break;
      }
      case 'any':
        for (const branch of condition.branches)
          params.push(...conditionParams(branch, dialect, index));
        break;
      case 'not':
        params.push(...conditionParams(condition.conditions, dialect, index));
        break;
      case 'null':
      case 'never':
        break;
    }
  }
  return params;
}
