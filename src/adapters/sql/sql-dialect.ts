import type { ColumnDefinition, TableDefinition } from '../../schema/table-definition';
import type { PlanValue } from '../../query/query-plan';

/**
 * What differs between the SQL backends. The compiler writes every statement through this, so a
 * backend is a dialect plus a driver, never a branch inside shared code.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** The most parameters one statement may bind (multi-row inserts are cut to fit). */
  readonly maxParameters: number;
  /** The placeholder of the `index`-th parameter, counting from 1. */
  placeholder(index: number): string;
  /** `sql` (the quoted column) is one of the values bound to `placeholder`: one parameter per list. */
  inList(column: ColumnDefinition, sql: string, placeholder: string): string;
  /** The single parameter that carries an IN list. */
  inListParam(column: ColumnDefinition, values: readonly PlanValue[]): unknown;
  /** A LIKE test with `\` as the escape character; case-insensitive folds ASCII letters only. */
  like(column: string, placeholder: string, caseInsensitive: boolean): string;
  /** What follows `ORDER BY col ASC|DESC` so NULLs sort as larger than every value. */
  nullsOrder(direction: 'asc' | 'desc'): string;
  /** A value as the driver binds it. */
  encode(column: ColumnDefinition, value: unknown): unknown;
  /**
   * A value of `table`'s column as the driver returned it, turned into the library's form;
   * undefined: as is. Throws a QueryException for a stored value that has no such form.
   */
  decoder(
    column: ColumnDefinition,
    table: TableDefinition<any>,
  ): ((value: unknown) => unknown) | undefined;
  /**
   * The database's clock, for the leases `claim` takes: the engine's own "now", so every worker
   * sharing the database agrees on when a lease ends, whatever its own clock says.
   */
  readonly clock: {
    /** SQL for the current instant, comparable with a timestamp column. */
    readonly now: string;
    /** SQL for the instant a number of milliseconds (bound to `placeholder`) after now. */
    after(placeholder: string): string;
  };
  /**
   * Whether `claim` picks its rows with `FOR UPDATE SKIP LOCKED`: set where several writers run at
   * once, so a claim locks the rows it picks and passes over those another claim has locked.
   * Unset where the engine has one writer at a time, so a claim's statement already runs alone.
   */
  readonly skipLocked: boolean;
  /**
   * Set where a timestamp column may hold instants finer than the library's milliseconds (a
   * PostgreSQL timestamptz without `(3)`), so comparisons on a column not declared
   * millisecond-exact treat each millisecond the library returns as the bucket of instants it
   * stands for (see `comparesAsBuckets`). Unset: stored timestamps are exactly the library's
   * values, compared as they are.
   */
  readonly millisecondBuckets?: {
    /** SQL for the column's instant cut to the millisecond, for IN lists. */
    truncate(column: string): string;
  };
  /** How related rows (`include`) come back with their parent row: as one JSON array. */
  readonly relatedRows: RelatedRowsSql;
}

/** The JSON aggregation of related rows, written once per engine (see sql-include.ts). */
export interface RelatedRowsSql {
  /** SQL for the JSON array of `row`s (each made by {@link row}) in `order`; `[]` for none. */
  aggregate(row: string, order: string): string;
  /** SQL for one row: a JSON array of these column expressions. */
  row(columns: readonly string[]): string;
  /** The aggregate as the driver returns it, as an array of rows (each an array of values). */
  parse(value: unknown): unknown[][];
  /**
   * A column's value as JSON holds it, turned into what the driver returns for the column in a
   * plain read (so the column's decoder applies unchanged); undefined: as is.
   */
  fromJson(column: ColumnDefinition): ((value: unknown) => unknown) | undefined;
}

/** Quotes an identifier. Identifiers come only from table definitions, checked when defined. */
export function quoteIdentifier(name: string): string {
  return `"${name}"`;
}
