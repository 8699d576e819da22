import type { IFilterOptions } from './database-adapter.interface';

/**
 * The request and result types of {@link IDatabaseAdapter.aggregate}. The result type is computed
 * from the request, so `row.sum.amount` exists exactly when `sum: ['amount']` was asked for.
 */

/** Properties holding numbers: what `sum` and `avg` accept (integer columns). */
export type NumericProperty<T> = {
  [K in keyof T]-?: [NonNullable<T[K]>] extends [number] ? K : never;
}[keyof T] &
  string;

/**
 * Properties `min` and `max` accept: numbers and strings at compile time; at run time only
 * integer and timestamp columns (a timestamp is a string to TypeScript).
 */
export type OrderedProperty<T> = {
  [K in keyof T]-?: [NonNullable<T[K]>] extends [number | string] ? K : never;
}[keyof T] &
  string;

/** Properties a result may be grouped by: scalar ones (not JSON). */
export type GroupableProperty<T> = {
  [K in keyof T]-?: [NonNullable<T[K]>] extends [string | number | boolean] ? K : never;
}[keyof T] &
  string;

/** What {@link IDatabaseAdapter.aggregate} computes, over which rows, grouped how. */
export interface AggregateOptions<T> {
  /** Which rows count, as for findMany. Default is every live row. */
  filters?: IFilterOptions;
  /** Include soft-deleted rows. Default is `false`. */
  includeDeleted?: boolean;
  /**
   * One result row per distinct combination of these properties (null is a group of its own),
   * ordered by them ascending, nulls last. Default is none: one row over every matching row.
   */
  groupBy?: readonly GroupableProperty<T>[];
  /** Adds `count`, the number of rows in the group. Default is `false`. */
  count?: boolean;
  /** Adds `sum[p]`: the exact sum as a decimal string, null when no value is non-null. */
  sum?: readonly NumericProperty<T>[];
  /**
   * Adds `avg[p]`: the exact sum divided by the number of non-null values, as a number (a
   * double), null when there are none.
   */
  avg?: readonly NumericProperty<T>[];
  /** Adds `min[p]`: the smallest value (an integer or an ISO timestamp), null when none. */
  min?: readonly OrderedProperty<T>[];
  /** Adds `max[p]`: the largest value, null when none. */
  max?: readonly OrderedProperty<T>[];
}

/** The properties a request lists under `key`. */
type Listed<O, K extends string> = O extends { [P in K]?: readonly (infer S)[] }
  ? Extract<S, string>
  : never;

/** A stored value as a result carries it: a property that may be left out is null instead. */
type Stored<V> = Exclude<V, undefined> | (undefined extends V ? null : never);

/** `{ [name]: { p: V } }` for the listed properties, or nothing when none are listed. */
type Section<Name extends string, Keys extends string, V> = [Keys] extends [never]
  ? unknown
  : { [N in Name]: { [P in Keys]: V } };

/** As {@link Section}, each property with its own type (min and max), null for no rows. */
type ValueSection<Name extends string, T, Keys extends string> = [Keys] extends [never]
  ? unknown
  : { [N in Name]: { [P in Keys]: P extends keyof T ? Stored<T[P]> | null : never } };

/** Flattens an intersection for readable hovers. */
type Simplify<X> = { [K in keyof X]: X[K] } & {};

/**
 * One row of an aggregate: the group's values under their property names, then `count`, `sum`,
 * `avg`, `min` and `max` for what was asked.
 *
 * @example
 * // Array<{ currency: string; count: number; sum: { amount: string | null } }>
 * await adapter.aggregate(
 *   { filters: { status: 'succeeded' }, groupBy: ['currency'], count: true, sum: ['amount'] },
 *   paymentsTable,
 * );
 */
export type AggregateRow<T, O> = Simplify<
  { [P in Listed<O, 'groupBy'> & keyof T]: Stored<T[P]> } & (O extends { count: true }
    ? { count: number }
    : unknown) &
    Section<'sum', Listed<O, 'sum'>, string | null> &
    Section<'avg', Listed<O, 'avg'>, number | null> &
    ValueSection<'min', T, Listed<O, 'min'>> &
    ValueSection<'max', T, Listed<O, 'max'>>
>;
