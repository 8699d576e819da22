/**
 * How a column is declared: its storage type and the options that go with it. Resolved into a
 * `ColumnDefinition` by `defineTable` (table-definition.ts).
 */

/**
 * The storage types a column can have. Each adapter maps them to its own:
 * - `uuid`: UUID text (Postgres `uuid`, SQLite `TEXT`).
 * - `string` / `text`: text; `string` is short and may be indexed or unique.
 * - `integer`: a whole number within the column's {@link ColumnOptions.range} (default 32-bit, as
 *   Postgres `integer`); money is stored as integer minor units (cents), never floats.
 * - `boolean`: `true` / `false` (SQLite stores 0/1).
 * - `timestamp`: an ISO-8601 UTC string with milliseconds, e.g. `2024-05-01T12:00:00.000Z`; what
 *   the column may hold below the millisecond is its {@link TimestampPrecision}.
 * - `json`: any JSON value (Postgres `jsonb`, SQLite `TEXT`).
 */
export type ColumnType = 'uuid' | 'string' | 'text' | 'integer' | 'boolean' | 'timestamp' | 'json';

/**
 * What a timestamp column is known to store, which decides how the library compares it.
 * - `'ms'`: every stored instant is a whole millisecond — PostgreSQL `timestamptz(3)`, SQLite text
 *   in the library's form (migrations postgres/0009 and sqlite/0007 for the library's tables). A
 *   value the library returns is then exactly what is stored, so filters and cursors compare it
 *   as it is: `=`, `IN`, row-value cursors, all served by an index on the column.
 * - `'unknown'`: the column may keep finer instants (a plain `timestamptz` that other programs
 *   write microseconds into). The library returns each stored instant cut to its millisecond, so
 *   on PostgreSQL and Supabase it compares that millisecond as the bucket of instants it stands
 *   for: `eq X` is `>= X AND < X + 1 ms`, `IN` the list's range plus one test per value, a
 *   cursor adds a key-by-key test (docs/postgres.md › Timestamps). Still index-served ranges, but
 *   more terms; a Supabase IN list is about three times as long in the URL. SQLite compares its
 *   one text form either way.
 *
 * The default is `'unknown'`: that is correct whatever the column holds, while `'ms'` on a column
 * that keeps microseconds would make a returned value miss its own row (equality finds nothing,
 * a cursor repeats its page). Declare `'ms'` only for columns whose type guarantees it.
 */
export type TimestampPrecision = 'ms' | 'unknown';

/** How a property is stored, as given to `defineTable`. */
export interface ColumnOptions {
  type: ColumnType;
  /** The column name. Default is the property name in snake_case. */
  column?: string;
  /** Whether the column accepts null. Default is `false`. */
  nullable?: boolean;
  /**
   * Whether live rows must have distinct values. On soft-delete tables the unique index is
   * partial (`WHERE deleted_at IS NULL`), so a deleted row does not block re-creating it.
   * Default is `false`.
   */
  unique?: boolean;
  /**
   * Whether the value is a secret (a password hash, a webhook payload holding client secrets). A
   * sensitive value is redacted in query logs; filters and orders may not name it unless
   * {@link queryable} is set; and entities carry it as a non-enumerable property, readable by name
   * (`user.passwordHash`) but absent from `util.inspect`, `console.log`, `JSON.stringify`,
   * `Object.keys` and spreads. Default is `false`.
   */
  sensitive?: boolean;
  /**
   * Whether filters and orders may name the column. A sensitive column that may be filtered on is
   * an oracle (`like: '$2b$10$S%'` reads a hash prefix by prefix), so it needs this opt-in; see
   * also `allowQueriesOn`. Default is `true`, or `false` when `sensitive`.
   */
  queryable?: boolean;
  /**
   * For an `integer` column, the values it can hold; anything outside is refused, in writes and in
   * filters, before a query runs. Declare a wider range only for a wider column (`bigint`:
   * {@link SAFE_INTEGER_RANGE}). Default is {@link INT32_RANGE}, the range of Postgres `integer`.
   */
  range?: IntegerRange;
  /**
   * For a `timestamp` column, what it stores below the millisecond (see
   * {@link TimestampPrecision}). Default is the table's `timestampPrecision` (`TableOptions`).
   */
  precision?: TimestampPrecision;
  /**
   * For a `string` column, the most characters it holds: validated on write and the
   * `VARCHAR(n)` of generated DDL. Default is none (any length; DDL `TEXT`).
   */
  length?: number;
  /**
   * For a `string` column, the only values it may hold: validated on write and a CHECK in
   * generated DDL. Default is none.
   */
  enum?: readonly string[];
  /**
   * The column's DDL default (generated migrations only; the library itself never fills it in).
   * A string, number, boolean or null literal. Default is none.
   */
  default?: string | number | boolean | null;
  /** Whether generated DDL adds a plain index on the column. Default is `false`. */
  index?: boolean;
  /** A foreign key: the referenced table (its `id` unless `column` is given). */
  references?: ColumnReference;
}

/** A foreign key of a column, as generated DDL writes it. */
export interface ColumnReference {
  readonly table: string;
  /** The referenced column. Default is `id`. */
  readonly column?: string;
  /** What happens to this row when the referenced one is deleted. Default is `restrict`. */
  readonly onDelete?: 'restrict' | 'cascade' | 'set null';
}

/** The whole numbers an integer column holds, bounds included. */
export interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

/** A 32-bit signed integer: Postgres `integer`, the default of every integer column. */
export const INT32_RANGE: IntegerRange = Object.freeze({ min: -2_147_483_648, max: 2_147_483_647 });

/** The integers JavaScript represents exactly: for a `bigint` column. */
export const SAFE_INTEGER_RANGE: IntegerRange = Object.freeze({
  min: Number.MIN_SAFE_INTEGER,
  max: Number.MAX_SAFE_INTEGER,
});
