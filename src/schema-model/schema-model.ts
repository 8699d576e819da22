/**
 * The database schema a set of table definitions stands for, as plain data: what
 * `migrate generate` writes DDL from (and keeps as its snapshot), and what `migrate check`
 * compares the live database with. Built by {@link tableModelOf}; nothing here touches a database.
 */
import type { ColumnType } from '../schema/column-options';

/** The SQL dialects the library writes migrations for. */
export type SqlDialect = 'sqlite' | 'postgres';

/** A foreign key as the database holds it. */
export interface ForeignKeyModel {
  readonly table: string;
  readonly column: string;
  readonly onDelete: 'restrict' | 'cascade' | 'set null';
}

/** One column of a table. */
export interface ColumnModel {
  /** The database column name (snake_case). */
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  /** Whether it is the primary key (the managed `id`). */
  readonly primaryKey: boolean;
  /** The most characters of a string column; absent when unbounded. */
  readonly length?: number;
  /** The only values of a string column; absent when any value goes. */
  readonly enumValues?: readonly string[];
  /** Whether an integer column needs 64 bits (its declared range leaves 32-bit). */
  readonly wide?: boolean;
  /** The DDL default as declared: absent when none. */
  readonly default?: string | number | boolean | null;
  /** The foreign key; absent when none. */
  readonly references?: ForeignKeyModel;
}

/**
 * One index. Two indexes are the same when their columns, uniqueness and predicate are: names
 * are what generated DDL calls them, not what a comparison looks at.
 */
export interface IndexModel {
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  /** The partial index predicate: `deleted_at IS NULL` for unique columns of soft-delete tables. */
  readonly where?: 'deleted_at IS NULL';
}

/** One table: its columns in declaration order and its indexes. */
export interface TableModel {
  readonly name: string;
  readonly softDelete: boolean;
  readonly columns: readonly ColumnModel[];
  readonly indexes: readonly IndexModel[];
}

/** The form of `schema-snapshot.json`: the tables `migrate generate` last wrote migrations for. */
export interface SchemaSnapshot {
  /** The snapshot format; 1 today. */
  readonly version: 1;
  readonly tables: readonly TableModel[];
}
