import type { ColumnDefinition, TableDefinition } from '../../schema/table-definition';
import type {
  ComparisonOperator,
  Condition,
  CursorKey,
  OrderKey,
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

/** The postgrest-js filter calls the translation uses; every filter builder has them. */
export interface FilterableQuery<Q> {
  filter(column: string, operator: string, value: unknown): Q;
  is(column: string, value: null): Q;
  not(column: string, operator: string, value: unknown): Q;
  or(filters: string): Q;
}

/** The postgrest-js transform calls a read uses. */
export interface OrderableQuery<Q> extends FilterableQuery<Q> {
  order(column: string, options: { ascending: boolean; nullsFirst: boolean }): Q;
  range(from: number, to: number): Q;
  limit(count: number): Q;
}

/**
 * A value inside PostgREST's list and logic-tree grammar: double-quoted, with `\` and `"`
 * backslash-escaped (`pQuotedValue`, PostgREST ≥ 9.0). Quoted, a `,` `(` `)` `.` or `),or(` is
 * part of the value and can never start another term.
 */
export function quoteValue(value: PlanValue): string {
  return `"${String(value).replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
}

// POSIX regex metacharacters; a backslash before a non-alphanumeric makes it literal.
const REGEX_SPECIAL = /[\\^$.|?*+()[\]{}]/;

/**
 * Rewrites a LIKE pattern (`%`, `_`, `\` escapes) as an anchored POSIX regex with the same
 * matches. Needed because PostgREST turns every `*` of a like/ilike value into `%` with no way to
 * escape it (`star` in PostgREST's `Query/SqlFragment.hs`), so a pattern holding a literal `*`
 * is sent as `match`/`imatch` instead. Under the "C" collation `~*` folds ASCII letters only, as
 * ILIKE does; `.` matches newlines, as `_` does.
 */
export function likeToRegex(pattern: string): string {
  let regex = '^';
  for (let i = 0; i < pattern.length; i++) {
    let ch = pattern[i];
    if (ch === '%') regex += '.*';
    else if (ch === '_') regex += '.';
    else {
      if (ch === '\\' && i + 1 < pattern.length) ch = pattern[++i];
      regex += REGEX_SPECIAL.test(ch) ? `\\${ch}` : ch;
    }
  }
  return `${regex}$`;
}

/** The operator and value of a (case-insensitive) LIKE on PostgREST: like/ilike, or match/imatch when `*` occurs. */
function likeOperation(pattern: string, caseInsensitive: boolean): { op: string; value: string } {
  if (pattern.includes('*'))
    return { op: caseInsensitive ? 'imatch' : 'match', value: likeToRegex(pattern) };
  return { op: caseInsensitive ? 'ilike' : 'like', value: pattern };
}

/** One `column.op."value"` term of a logic tree. */
function term(column: ColumnDefinition, op: string, value: PlanValue): string {
  return `${column.column}.${op}.${quoteValue(value)}`;
}

/** `or=(…)` terms for "any searchable column contains the text", every value quoted. */
export function searchTerms(columns: readonly ColumnDefinition[], pattern: string): string {
  const { op, value } = likeOperation(pattern, true);
  return columns.map((c) => term(c, op, value)).join(',');
}

/** Operator/value bounds, ANDed (or ORed where `any`). */
interface Bounds {
  any: boolean;
  bounds: { op: string; value: PlanValue }[];
}

/**
 * A comparison as bounds: the operator itself, or, for a timestamp that may keep microseconds (a
 * table of unknown precision, such as one not migrated to timestamptz(3)), bounds on the value's
 * millisecond `bucket`, so a stored instant compares as the millisecond the library returns for it.
 */
function comparisonBounds(
  op: ComparisonOperator,
  value: PlanValue,
  bucket: MillisecondBucket | undefined,
): Bounds {
  return bucket ? bucketBounds(op, bucket) : { any: false, bounds: [{ op, value }] };
}

/** Logic-tree terms ANDed for a comparison whose bounds are all required. */
function allTerms(
  column: ColumnDefinition,
  op: ComparisonOperator,
  value: PlanValue,
  bucket: MillisecondBucket | undefined,
): string[] {
  return comparisonBounds(op, value, bucket).bounds.map((b) => term(column, b.op, b.value));
}

/**
 * `or=(…)` terms for "strictly after the cursor row" in the plan's order: k1 beyond v1, or k1 = v1
 * and k2 beyond v2, and so on (keyset pagination; order keys are never null). Each key's bucket
 * is made once, for every term that names the key.
 */
export function afterTerms(keys: readonly CursorKey[]): string {
  const buckets = keys.map((k) => comparisonBucket(k.column, k.value));
  const equal = keys.map((k, i) => allTerms(k.column, 'eq', k.value, buckets[i]));
  return keys
    .map((key, i) => {
      const op = key.direction === 'asc' ? 'gt' : 'lt';
      const all = [...equal.slice(0, i).flat(), ...allTerms(key.column, op, key.value, buckets[i])];
      return all.length === 1 ? all[0] : `and(${all.join(',')})`;
    })
    .join(',');
}

/**
 * `or=(…)` terms for an IN list on a timestamp of unknown precision: any of the values'
 * milliseconds. About three times the URL length of `in.(…)` per value (docs/querying.md).
 */
function bucketedInTerms(column: ColumnDefinition, values: readonly PlanValue[]): string {
  return values
    .map((v) => `and(${allTerms(column, 'eq', v, millisecondBucket(v as string)).join(',')})`)
    .join(',');
}

/** Adds `deleted_at=is.null` on a soft-delete table, so only live rows match. */
export function liveOnly<Q extends { is(column: string, value: null): Q }>(
  query: Q,
  table: TableDefinition<any>,
): Q {
  return table.softDelete ? query.is(table.column('deletedAt')!.column, null) : query;
}

/** Whether a plan can match no row at all, so no request needs to be sent. */
export function matchesNothing(plan: QueryPlan): boolean {
  return plan.conditions.some((c) => c.kind === 'never');
}

/**
 * Adds a plan's conditions as PostgREST filters (all ANDed). Single-value filters carry the value
 * after `op.` raw: PostgREST reads everything after the operator as one value (`pSingleVal`), so
 * no character in it can add a filter. Lists and logic trees quote every value.
 */
export function applyConditions<Q extends FilterableQuery<Q>>(
  query: Q,
  conditions: readonly Condition[],
): Q {
  let q = query;
  for (const c of conditions) {
    switch (c.kind) {
      case 'compare': {
        const { any, bounds } = comparisonBounds(
          c.op,
          c.value,
          comparisonBucket(c.column, c.value),
        );
        if (any) q = q.or(bounds.map((b) => term(c.column, b.op, b.value)).join(','));
        else for (const b of bounds) q = q.filter(c.column.column, b.op, String(b.value));
        break;
      }
      case 'in':
        q = comparesAsBuckets(c.column)
          ? q.or(bucketedInTerms(c.column, c.values))
          : q.filter(c.column.column, 'in', `(${c.values.map(quoteValue).join(',')})`);
        break;
      case 'like': {
        const { op, value } = likeOperation(c.pattern, c.caseInsensitive);
        q = q.filter(c.column.column, op, value);
        break;
      }
      case 'null':
        q = c.isNull ? q.is(c.column.column, null) : q.not(c.column.column, 'is', null);
        break;
      case 'search':
        q = q.or(searchTerms(c.columns, c.pattern));
        break;
      case 'after':
        q = q.or(afterTerms(c.keys));
        break;
      case 'any':
        // The branches are the terms of one `or=(…)`; a NOT group is its only term.
        q = q.or(c.branches.map(andTerm).join(','));
        break;
      case 'not':
        q = q.or(treeTerm(c));
        break;
      case 'never':
        // Callers check matchesNothing first; nothing to add.
        break;
    }
  }
  return q;
}

/** Conditions ANDed, as one logic-tree term. */
function andTerm(conditions: readonly Condition[]): string {
  return conditions.length === 1
    ? treeTerm(conditions[0])
    : `and(${conditions.map(treeTerm).join(',')})`;
}

/**
 * A condition as one term of a logic tree (`or=(…)`), every value quoted: how a condition inside
 * a group is sent. Groups nest as `or(…)`, `and(…)` and `not.and(…)`.
 */
export function treeTerm(c: Condition): string {
  switch (c.kind) {
    case 'compare': {
      const { any, bounds } = comparisonBounds(c.op, c.value, comparisonBucket(c.column, c.value));
      const terms = bounds.map((b) => term(c.column, b.op, b.value));
      if (terms.length === 1) return terms[0];
      return `${any ? 'or' : 'and'}(${terms.join(',')})`;
    }
    case 'in':
      return comparesAsBuckets(c.column)
        ? `or(${bucketedInTerms(c.column, c.values)})`
        : `${c.column.column}.in.(${c.values.map(quoteValue).join(',')})`;
    case 'like': {
      const { op, value } = likeOperation(c.pattern, c.caseInsensitive);
      return term(c.column, op, value);
    }
    case 'null':
      return `${c.column.column}.${c.isNull ? '' : 'not.'}is.null`;
    case 'search':
      return `or(${searchTerms(c.columns, c.pattern)})`;
    case 'after':
      return `or(${afterTerms(c.keys)})`;
    case 'any':
      return `or(${c.branches.map(andTerm).join(',')})`;
    case 'not':
      return `not.and(${c.conditions.map(treeTerm).join(',')})`;
    case 'never':
      // Planning keeps `never` out of groups (plan-groups.ts); a tree cannot spell "false".
      throw new Error('a never condition has no logic-tree term');
  }
}

/** Adds the order, with NULLs larger than every value: last ascending, first descending. */
export function applyOrder<Q extends OrderableQuery<Q>>(query: Q, orderBy: readonly OrderKey[]): Q {
  let q = query;
  for (const key of orderBy) {
    const ascending = key.direction === 'asc';
    q = q.order(key.column.column, { ascending, nullsFirst: !ascending });
  }
  return q;
}

/** Adds a plan's conditions, order and page (`offset`/`limit` query parameters). */
export function applyPlan<Q extends OrderableQuery<Q>>(query: Q, plan: QueryPlan): Q {
  let q = applyOrder(applyConditions(query, plan.conditions), plan.orderBy);
  if (plan.limit !== undefined) {
    q = plan.offset ? q.range(plan.offset, plan.offset + plan.limit - 1) : q.limit(plan.limit);
  }
  return q;
}
