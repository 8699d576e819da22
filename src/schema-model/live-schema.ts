/**
 * The schema a database holds, as `migrate check` and the boot check read it: the counterpart of
 * {@link TableModel} on the database's side. It is looser, because a database may hold what no
 * table definition can say (a REAL column, an index on an expression, a composite foreign key).
 */
import type { ColumnType } from '../schema/column-options';
import type { MigrationDriver } from '../migrations/migration-driver.interface';
import type { SqlDialect } from './schema-model';

/** One column as the database describes it, mapped back to a definition's terms where it can. */
export interface LiveColumn {
  readonly name: string;
  /** The type in the database's own words: `TEXT`, `character varying(32)`, `timestamp with time zone`. */
  readonly sqlType: string;
  /**
   * The definition type it stores, as far as the database tells: PostgreSQL `character varying`
   * is `string`, `jsonb` is `json`, `bigint` a wide `integer`; SQLite only tells its storage
   * class, so TEXT is `text` and INTEGER `integer`. Undefined when no definition type fits.
   */
  readonly type?: ColumnType;
  /** The most characters of a `character varying(n)` column. */
  readonly length?: number;
  /** Whether an integer column is 64-bit (`bigint`). */
  readonly wide?: boolean;
  readonly nullable: boolean;
  /** Whether the column is the table's primary key (alone). */
  readonly primaryKey: boolean;
  /** Whether the database fills the column when an insert leaves it out (a default, an identity). */
  readonly hasDefault: boolean;
  /** PostgreSQL only: the column's collation, null when it is the database default. */
  readonly collation?: string | null;
}

/** One index as the database describes it; the primary key's own index is not listed. */
export interface LiveIndex {
  readonly name: string;
  /** Its key columns in order; `(expression)` for a key that is an expression. */
  readonly columns: readonly string[];
  readonly unique: boolean;
  /** The predicate of a partial index, as the database prints it; absent when it has none. */
  readonly where?: string;
}

/** One foreign key constraint. */
export interface LiveForeignKey {
  readonly columns: readonly string[];
  readonly table: string;
  readonly targetColumns: readonly string[];
  /** `restrict`, `cascade`, `set null`, `no action` or `set default`. */
  readonly onDelete: string;
}

/** One table the database holds. */
export interface LiveTable {
  readonly name: string;
  readonly columns: readonly LiveColumn[];
  readonly indexes: readonly LiveIndex[];
  readonly foreignKeys: readonly LiveForeignKey[];
}

/** Runs one read and returns its rows. */
export type SchemaQuery = (
  sql: string,
  params?: readonly unknown[],
) => Promise<Record<string, unknown>[]>;

/** What the checks read a database through: its reads, and its migration history. */
export interface SchemaSource {
  readonly dialect: SqlDialect;
  /** The migration driver of the database: the check reads which migrations are applied. */
  readonly driver: MigrationDriver;
  /** Runs one read-only query and returns its rows. */
  readonly query: SchemaQuery;
}

/** Reads the named tables of a live database; a table that does not exist is left out. */
export type SchemaIntrospector = (
  query: SchemaQuery,
  tables: readonly string[],
) => Promise<LiveTable[]>;
