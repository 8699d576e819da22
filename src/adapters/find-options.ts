/**
 * The read options every adapter and repository takes, typed by the entity they read. With an
 * entity type, a filter key that is not a property, a value of the wrong type or an operator that
 * does not fit the property is a compile error. Without one (`T` = any: options built from HTTP
 * query strings), anything compiles and the runtime planner (src/query) is the defence.
 */
import type { ReadCache } from '../cache/read-cache-options';
import type { IncludeOptions, IRelationFilter } from '../query/include-options';

/** `true` when `T` is `any`. */
type IsAny<T> = 0 extends 1 & T ? true : false;

/**
 * A property name of `T` (`K`: some of them); `any` where `T` is untyped, so options built untyped
 * (from a query string) are accepted by every typed read and checked at run time.
 */
type PropertyName<T, K = keyof T & string> = IsAny<T> extends true ? any : K;

/** The value of a property without `undefined` (optional properties) and `null`. */
type Present<V> = Exclude<V, undefined | null>;

/**
 * What a comparison on a property of type `V` takes: a value of its type. A plain `string`
 * property may be a timestamp (ISO text), so it takes a Date too; a union of literals (an enum)
 * takes only its members.
 */
export type ComparableValue<V> = string extends Present<V> ? Present<V> | Date : Present<V>;

/** `null` where the property may hold it, else nothing. */
type NullIfNullable<V> = null extends V ? null : never;

/** The operators every property has. */
interface BaseOperators<V> {
  eq?: ComparableValue<V> | NullIfNullable<V>;
  neq?: ComparableValue<V> | NullIfNullable<V>;
  /** Matches any of the values; an empty array matches nothing. */
  in?: readonly ComparableValue<V>[];
  /** `true`: the value is null; `false`: it is not. */
  isNull?: boolean;
}

/** Pattern operators, on text properties only. */
interface PatternOperators {
  /** A case-sensitive SQL LIKE pattern: `%` any run, `_` one character, `\` escapes. */
  like?: string;
  /** As `like`, ignoring ASCII letter case. */
  ilike?: string;
}

/** Range operators, on numbers, text (ISO timestamps) and dates only. */
interface RangeOperators<V> {
  gt?: ComparableValue<V>;
  gte?: ComparableValue<V>;
  lt?: ComparableValue<V>;
  lte?: ComparableValue<V>;
}

type Forbidden<O> = { [K in keyof O]?: never };

/** A filter operator object for a property of type `V`: every key given must hold (AND). */
export type FilterOperators<V = any> =
  IsAny<V> extends true
    ? BaseOperators<any> & PatternOperators & RangeOperators<any>
    : BaseOperators<V> &
        ([Present<V>] extends [string] ? PatternOperators : Forbidden<PatternOperators>) &
        ([Present<V>] extends [number | string | Date]
          ? RangeOperators<V>
          : Forbidden<RangeOperators<V>>);

/**
 * A filter on one property: a value (equality; `null`, on a nullable property, means IS NULL),
 * an array (IN) or operators.
 */
export type FilterValue<V = any> =
  ComparableValue<V> | NullIfNullable<V> | readonly ComparableValue<V>[] | FilterOperators<V>;

/** The design's shortcuts, on every table. */
export interface FilterShortcuts {
  /** Case-insensitive substring over the table's searchable columns; `%`, `_`, `\` are literal. */
  search?: string;
  /** `createdAt` strictly after this instant. */
  createdAfter?: Date | string;
  /** `createdAt` strictly before this instant. */
  createdBefore?: Date | string;
}

/** Boolean groups, combined with AND with the filters beside them; nested to any depth allowed. */
export interface FilterGroups<T> {
  /** Any of these filter sets holds. An empty list matches nothing. */
  or?: readonly IFilterOptions<T>[];
  /** This filter set does not hold (SQL NOT: a row where a compared value is NULL is not matched either way). */
  not?: IFilterOptions<T>;
}

/** Filters of an untyped read: any key, any value; checked only at run time. */
export interface LooseFilterOptions extends FilterShortcuts, FilterGroups<any> {
  [property: string]:
    FilterValue | IRelationFilter | LooseFilterOptions | readonly LooseFilterOptions[] | undefined;
}

/**
 * Filters on entity properties (camelCase), combined with AND, plus the design's shortcuts and
 * boolean groups. A key that is not a property of the table is rejected with a
 * ValidationException at run time, and with a compile error where `T` is known.
 */
export type IFilterOptions<T = any> =
  IsAny<T> extends true
    ? LooseFilterOptions
    : { [K in keyof T & string]?: FilterValue<T[K]> } & FilterShortcuts & FilterGroups<T>;

/** One ordering key. */
export interface IOrderByOptions<T = any> {
  /** An entity property (camelCase). */
  field: PropertyName<T>;
  /** Default is `asc`. */
  direction?: 'asc' | 'desc';
}

/** Offset pagination: `page` from 1, `limit` from 1 to the configured maximum (default 100). */
export interface IPaginationOptions {
  page: number;
  limit: number;
}

/** Keyset pagination: `after` is the `nextCursor` of the previous page (absent for the first). */
export interface ICursorPaginationOptions {
  after?: string | null;
  limit: number;
}

/**
 * What a read may ask for. `K` is the selected properties (see {@link FindOptions.select}); the
 * result of a read is {@link Selected}`<T, K>`.
 */
export interface FindOptions<T = any, K extends keyof T & string = keyof T & string> {
  filters?: IFilterOptions<T>;
  /** One key or several; ties are broken by `id` in the last key's direction, so the order is total. */
  orderBy?: IOrderByOptions<T> | readonly IOrderByOptions<T>[];
  pagination?: IPaginationOptions | ICursorPaginationOptions;
  /** Include soft-deleted rows. Default is `false`. */
  includeDeleted?: boolean;
  /**
   * Read only these properties: the rows hold just them (and the result type narrows to
   * `Pick<T, K>`). A sensitive property, or one that is not a column, is a ValidationException.
   * Default is every property.
   */
  select?: readonly PropertyName<T, K>[];
  /**
   * Relations of the table to read with each row, in the same statement or request (see
   * docs/querying.md, "Relations"). Default is none.
   */
  include?: IncludeOptions;
  /** Serve the result from the cache layer, if one is configured (docs/caching.md). Default is none. */
  cache?: ReadCache;
}

/** The rows of a read that selected `K`: the whole entity when `K` is every property. */
export type Selected<T, K extends keyof T> = [keyof T & string] extends [K] ? T : Pick<T, K>;
