import { toSnakeCase } from './naming';

/**
 * The storage types a column can have. Each adapter maps them to its own:
 * - `uuid`: UUID text (Postgres `uuid`, SQLite `TEXT`).
 * - `string` / `text`: text; `string` is short and may be indexed or unique.
 * - `integer`: a whole number; money is stored as integer minor units (cents), never floats.
 * - `boolean`: `true` / `false` (SQLite stores 0/1).
 * - `timestamp`: an ISO-8601 UTC string with milliseconds, e.g. `2024-05-01T12:00:00.000Z`.
 * - `json`: any JSON value (Postgres `jsonb`, SQLite `TEXT`).
 */
export type ColumnType = 'uuid' | 'string' | 'text' | 'integer' | 'boolean' | 'timestamp' | 'json';

/** How a property is stored, as given to {@link defineTable}. */
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
  /** Whether the value is redacted in query logs (password hashes, webhook payloads). Default is `false`. */
  sensitive?: boolean;
}

/** A column of a table, with both of its names resolved. */
export interface ColumnDefinition {
  /** The entity property, camelCase. */
  readonly property: string;
  /** The database column, snake_case. */
  readonly column: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly unique: boolean;
  readonly sensitive: boolean;
}

/** The columns every table has, managed by the library. */
export interface IBaseEntity {
  /** A UUID v4 made by the library. */
  id: string;
  /** Set by the library on create. */
  createdAt: string;
  /** Set by the library on create and on every update. */
  updatedAt: string;
  /** Set by softDelete, cleared by restore; only on soft-delete tables. */
  deletedAt?: string | null;
}

/** The properties a caller supplies on create: everything but the managed columns. */
export type CreateInput<T extends IBaseEntity> = Omit<T, keyof IBaseEntity>;

/** The properties a caller may change on update. */
export type UpdateInput<T extends IBaseEntity> = Partial<CreateInput<T>>;

type DeclaredColumns<T extends IBaseEntity> = {
  [K in keyof CreateInput<T>]-?: ColumnOptions;
};

/** What {@link defineTable} takes. */
export interface TableOptions<T extends IBaseEntity> {
  /** The table name in the database. */
  name: string;
  /** Every property of the entity except id, createdAt, updatedAt and deletedAt, which are added. */
  columns: DeclaredColumns<T>;
  /** Properties matched by `filters.search` (case-insensitive substring). Default is none. */
  searchable?: ReadonlyArray<keyof CreateInput<T> & string>;
  /** Whether the table has `deleted_at` and deletes are soft by default. Default is `true`. */
  softDelete?: boolean;
  /**
   * The class rows are turned into. It is built with `new` and has its properties assigned, so it
   * must take no constructor arguments. Default is plain objects.
   */
  entity?: new () => T;
}

/**
 * A table's metadata, built once and shared by every query against it: both names of each column,
 * lookups by property and by column, the searchable and unique columns.
 */
export interface TableDefinition<T extends IBaseEntity = IBaseEntity> {
  readonly name: string;
  readonly columns: readonly ColumnDefinition[];
  readonly primaryKey: ColumnDefinition;
  readonly softDelete: boolean;
  readonly searchable: readonly ColumnDefinition[];
  readonly unique: readonly ColumnDefinition[];
  readonly entity?: new () => T;
  /** Looks a column up by its entity property; undefined when the property is not a column. */
  column(property: string): ColumnDefinition | undefined;
  /** Looks a column up by its database name. */
  columnByName(column: string): ColumnDefinition | undefined;
}

const MANAGED_COLUMNS: Record<keyof IBaseEntity, ColumnOptions> = {
  id: { type: 'uuid' },
  createdAt: { type: 'timestamp' },
  updatedAt: { type: 'timestamp' },
  deletedAt: { type: 'timestamp', nullable: true },
};

const SAFE_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function resolveColumn(property: string, options: ColumnOptions): ColumnDefinition {
  const column = options.column ?? toSnakeCase(property);
  // Identifiers are the only names ever written into SQL text, so they are checked once, here.
  if (!SAFE_IDENTIFIER.test(column)) {
    throw new Error(`Column name "${column}" must match ${SAFE_IDENTIFIER}`);
  }
  return Object.freeze({
    property,
    column,
    type: options.type,
    nullable: options.nullable ?? false,
    unique: options.unique ?? false,
    sensitive: options.sensitive ?? false,
  });
}

/**
 * Declares a table: its name, its columns and how they are searched. The result is immutable
 * metadata that repositories and adapters share; build it once per table, at module load.
 *
 * @example
 * export const notesTable = defineTable<Note>({
 *   name: 'notes',
 *   columns: { title: { type: 'string' }, body: { type: 'text', nullable: true } },
 *   searchable: ['title'],
 * });
 */
export function defineTable<T extends IBaseEntity>(options: TableOptions<T>): TableDefinition<T> {
  if (!SAFE_IDENTIFIER.test(options.name)) {
    throw new Error(`Table name "${options.name}" must match ${SAFE_IDENTIFIER}`);
  }
  const softDelete = options.softDelete ?? true;
  const declared = Object.entries(options.columns as Record<string, ColumnOptions>);
  const managed = Object.entries(MANAGED_COLUMNS).filter(
    ([property]) => softDelete || property !== 'deletedAt',
  );
  const columns = [...managed.slice(0, 1), ...declared, ...managed.slice(1)].map(([p, o]) =>
    resolveColumn(p, o),
  );
  const byProperty = new Map(columns.map((c) => [c.property, c]));
  const byColumn = new Map(columns.map((c) => [c.column, c]));
  if (byColumn.size !== columns.length) {
    throw new Error(`Table ${options.name} declares the same column twice`);
  }
  const searchable = (options.searchable ?? []).map((property) => {
    const column = byProperty.get(property);
    if (!column || (column.type !== 'string' && column.type !== 'text')) {
      throw new Error(`Searchable property ${options.name}.${property} must be a text column`);
    }
    return column;
  });
  return Object.freeze({
    name: options.name,
    columns: Object.freeze(columns),
    primaryKey: byProperty.get('id')!,
    softDelete,
    searchable: Object.freeze(searchable),
    unique: Object.freeze(columns.filter((c) => c.unique)),
    entity: options.entity,
    column: (property: string) => byProperty.get(property),
    columnByName: (column: string) => byColumn.get(column),
  });
}
