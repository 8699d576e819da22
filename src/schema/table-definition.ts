import {
  INT32_RANGE,
  type ColumnOptions,
  type ColumnReference,
  type ColumnType,
  type IntegerRange,
  type TimestampPrecision,
} from './column-options';
import type { ColumnOptionsFor, EntityOfColumns } from './column-types';
import { MANAGED_COLUMNS, VERSION_COLUMN } from './managed-columns';
import { toSnakeCase } from './naming';

export {
  INT32_RANGE,
  SAFE_INTEGER_RANGE,
  type ColumnOptions,
  type ColumnReference,
  type ColumnType,
  type IntegerRange,
  type TimestampPrecision,
} from './column-options';
export type { ColumnOptionsFor, ColumnTypesFor, EntityOfColumns, JsonValue } from './column-types';

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
  /** Whether filters and orders may name it (see {@link ColumnOptions.queryable}). */
  readonly queryable: boolean;
  /** The values of an integer column; undefined for other types. */
  readonly range?: IntegerRange;
  /** What a timestamp column stores below the millisecond; undefined for other types. */
  readonly precision?: TimestampPrecision;
  /** The most characters of a string column; undefined when unbounded. */
  readonly length?: number;
  /** The only values of a string column; undefined when any value goes. */
  readonly enumValues?: readonly string[];
  /** The DDL default; undefined when none is declared. */
  readonly defaultValue?: string | number | boolean | null;
  /** Whether generated DDL indexes the column on its own. */
  readonly indexed: boolean;
  /** The foreign key; undefined when none. */
  readonly references?: ColumnReference;
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

/** The columns of a versioned table's entity (`versioned: true`): the managed ones and `version`. */
export interface IVersionedEntity extends IBaseEntity {
  /**
   * 1 on create; one more on every change of the row (update, increment, an upsert that updates,
   * soft delete, restore).
   */
  version: number;
}

/** The properties a caller supplies on create: everything but the managed columns. */
export type CreateInput<T extends IBaseEntity> = Omit<T, keyof IVersionedEntity>;

/** The properties a caller may change on update. */
export type UpdateInput<T extends IBaseEntity> = Partial<CreateInput<T>>;

/** Each property of a hand-written entity interface, declared with options that fit its type. */
type DeclaredColumns<T extends IBaseEntity> = {
  [K in keyof CreateInput<T>]-?: ColumnOptionsFor<CreateInput<T>[K]>;
};

/** A table's options when the entity type is derived from them ({@link EntityOf}). */
export interface DeclaredTableOptions<C extends Record<string, ColumnOptions>> extends Omit<
  TableOptions<IBaseEntity>,
  'columns' | 'searchable' | 'entity'
> {
  columns: C;
  searchable?: ReadonlyArray<keyof C & string>;
  entity?: new () => any;
}

/** `versioned: true` exactly when the entity has a `version` ({@link IVersionedEntity}). */
export type VersionedOption<T> = 'version' extends keyof T
  ? { versioned: true }
  : { versioned?: false };

/** The entity type of a table: `type Invoice = EntityOf<typeof invoicesTable>`. */
export type EntityOf<D> = D extends TableDefinition<infer T> ? T : never;

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
   * Whether the table has a managed integer `version` column for optimistic locking: 1 on create,
   * one more on every change, and `update(id, data, { expectedVersion })` changes the row only at
   * that version. The entity then has `version: number` ({@link IVersionedEntity}). Default is
   * `false`.
   */
  versioned?: boolean;
  /**
   * What the table's timestamp columns store below the millisecond, the managed `created_at`,
   * `updated_at` and `deleted_at` included; a column's own {@link ColumnOptions.precision} wins.
   * Set `'ms'` when every timestamp column is `timestamptz(3)` (PostgreSQL, Supabase) — SQLite
   * needs nothing. Default is `'unknown'` (see {@link TimestampPrecision} for why).
   */
  timestampPrecision?: TimestampPrecision;
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
export interface TableDefinition<T extends IBaseEntity = IBaseEntity, R = unknown> {
  readonly name: string;
  readonly columns: readonly ColumnDefinition[];
  readonly primaryKey: ColumnDefinition;
  readonly softDelete: boolean;
  /** Whether the table has the managed `version` column ({@link TableOptions.versioned}). */
  readonly versioned: boolean;
  readonly searchable: readonly ColumnDefinition[];
  readonly unique: readonly ColumnDefinition[];
  /** The sensitive columns, which entities carry as non-enumerable properties. */
  readonly sensitive: readonly ColumnDefinition[];
  readonly entity?: new () => T;
  /** Looks a column up by its entity property; undefined when the property is not a column. */
  column(property: string): ColumnDefinition | undefined;
  /** Looks a column up by its database name. */
  columnByName(column: string): ColumnDefinition | undefined;
  /** The relations declared with `withRelations` (schema/relations.ts); undefined when none. */
  readonly relations?: R;
}

const SAFE_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function checkRange(property: string, range: IntegerRange): IntegerRange {
  if (
    !Number.isSafeInteger(range.min) ||
    !Number.isSafeInteger(range.max) ||
    range.min > range.max
  ) {
    throw new Error(`The range of ${property} must be two safe integers, min <= max`);
  }
  return Object.freeze({ min: range.min, max: range.max });
}

const PRECISIONS: readonly TimestampPrecision[] = ['ms', 'unknown'];

function checkPrecision(what: string, precision: TimestampPrecision): TimestampPrecision {
  if (!PRECISIONS.includes(precision)) {
    throw new Error(`The ${what} must be 'ms' or 'unknown'`);
  }
  return precision;
}

function resolveColumn(
  property: string,
  options: ColumnOptions,
  timestampPrecision: TimestampPrecision,
): ColumnDefinition {
  const column = options.column ?? toSnakeCase(property);
  // Identifiers are the only names ever written into SQL text, so they are checked once, here.
  if (!SAFE_IDENTIFIER.test(column)) {
    throw new Error(`Column name "${column}" must match ${SAFE_IDENTIFIER}`);
  }
  if (options.range && options.type !== 'integer') {
    throw new Error(`Only an integer column has a range (${property})`);
  }
  if (options.precision !== undefined && options.type !== 'timestamp') {
    throw new Error(`Only a timestamp column has a precision (${property})`);
  }
  checkDeclaredRules(property, options);
  const sensitive = options.sensitive ?? false;
  return Object.freeze({
    property,
    column,
    type: options.type,
    nullable: options.nullable ?? false,
    unique: options.unique ?? false,
    sensitive,
    queryable: options.queryable ?? !sensitive,
    range:
      options.type === 'integer' ? checkRange(property, options.range ?? INT32_RANGE) : undefined,
    precision:
      options.type === 'timestamp'
        ? checkPrecision(`precision of ${property}`, options.precision ?? timestampPrecision)
        : undefined,
    length: options.length,
    enumValues: options.enum ? Object.freeze([...options.enum]) : undefined,
    defaultValue: options.default,
    indexed: options.index ?? false,
    references: options.references ? Object.freeze({ ...options.references }) : undefined,
  });
}

/** The declaration's lengths, enums, defaults and foreign keys, checked once at definition. */
function checkDeclaredRules(property: string, options: ColumnOptions): void {
  const { length, enum: values, default: fallback, references } = options;
  if ((length !== undefined || values !== undefined) && options.type !== 'string') {
    throw new Error(`Only a string column has a length or an enum (${property})`);
  }
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 1)) {
    throw new Error(`The length of ${property} must be a positive integer`);
  }
  if (values !== undefined) {
    const distinct = new Set(values);
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      values.some((v) => typeof v !== 'string') ||
      distinct.size !== values.length
    ) {
      throw new Error(`The enum of ${property} must be a non-empty list of distinct strings`);
    }
    if (length !== undefined && values.some((v) => [...v].length > length)) {
      throw new Error(`An enum value of ${property} is longer than its length`);
    }
  }
  if (fallback !== undefined && fallback !== null) {
    const expected = DEFAULT_TYPES[options.type];
    if (typeof fallback !== expected || (values && !values.includes(fallback as string))) {
      throw new Error(`The default of ${property} does not fit its column`);
    }
    if (typeof fallback === 'number' && !Number.isSafeInteger(fallback)) {
      throw new Error(`The default of ${property} must be an integer`);
    }
  }
  if (fallback === null && !options.nullable) {
    throw new Error(`The default of ${property} is null but the column is not nullable`);
  }
  if (references) {
    const column = references.column ?? 'id';
    if (!SAFE_IDENTIFIER.test(references.table) || !SAFE_IDENTIFIER.test(column)) {
      throw new Error(
        `The foreign key of ${property} must name a table and column matching ${SAFE_IDENTIFIER}`,
      );
    }
    if (references.onDelete && !['restrict', 'cascade', 'set null'].includes(references.onDelete)) {
      throw new Error(`onDelete of ${property} must be restrict, cascade or set null`);
    }
    if (references.onDelete === 'set null' && !options.nullable) {
      throw new Error(`onDelete 'set null' needs ${property} to be nullable`);
    }
  }
}

/** What `typeof` a column's default must be; json defaults are not supported. */
const DEFAULT_TYPES: Record<ColumnType, string> = {
  uuid: 'string',
  string: 'string',
  text: 'string',
  integer: 'number',
  boolean: 'boolean',
  timestamp: 'string',
  json: 'never',
};

/** Builds the frozen metadata of a table from its resolved columns. */
function assembleTable<T extends IBaseEntity>(
  name: string,
  columns: readonly ColumnDefinition[],
  searchableProperties: readonly string[],
  softDelete: boolean,
  entity: (new () => T) | undefined,
): TableDefinition<T> {
  const byProperty = new Map(columns.map((c) => [c.property, c]));
  const byColumn = new Map(columns.map((c) => [c.column, c]));
  if (byColumn.size !== columns.length) {
    throw new Error(`Table ${name} declares the same column twice`);
  }
  const searchable = searchableProperties.map((property) => {
    const column = byProperty.get(property);
    if (!column || (column.type !== 'string' && column.type !== 'text')) {
      throw new Error(`Searchable property ${name}.${property} must be a text column`);
    }
    // A search is a filter: on a secret, `search: 'a'` tells which rows' secrets contain an a.
    if (!column.queryable) {
      throw new Error(`Searchable property ${name}.${property} is sensitive and not queryable`);
    }
    return column;
  });
  return Object.freeze({
    name,
    columns: Object.freeze([...columns]),
    primaryKey: byProperty.get('id')!,
    softDelete,
    // Only the managed column can be named `version`: defineTable refuses a declared one.
    versioned: byProperty.has('version'),
    searchable: Object.freeze(searchable),
    unique: Object.freeze(columns.filter((c) => c.unique)),
    sensitive: Object.freeze(columns.filter((c) => c.sensitive)),
    entity,
    column: (property: string) => byProperty.get(property),
    columnByName: (column: string) => byColumn.get(column),
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
export function defineTable<T extends IBaseEntity>(
  options: TableOptions<T> & VersionedOption<T>,
): TableDefinition<T>;
export function defineTable<
  const C extends Record<string, ColumnOptions>,
  const S extends boolean = true,
  const V extends boolean = false,
>(
  options: DeclaredTableOptions<C> & { softDelete?: S; versioned?: V },
): TableDefinition<EntityOfColumns<C, S, V>>;
export function defineTable(options: TableOptions<any>): TableDefinition<any> {
  if (!SAFE_IDENTIFIER.test(options.name)) {
    throw new Error(`Table name "${options.name}" must match ${SAFE_IDENTIFIER}`);
  }
  const softDelete = options.softDelete ?? true;
  const declared = Object.entries(options.columns as Record<string, ColumnOptions>);
  if (declared.some(([property]) => property === 'version')) {
    throw new Error(`${options.name}: version is managed by the library; declare versioned: true`);
  }
  const managed: [string, ColumnOptions][] = Object.entries(MANAGED_COLUMNS).filter(
    ([property]) => softDelete || property !== 'deletedAt',
  );
  if (options.versioned === true) managed.push(['version', VERSION_COLUMN]);
  else if (options.versioned !== undefined && options.versioned !== false) {
    throw new Error(`versioned of ${options.name} must be a boolean`);
  }
  const timestampPrecision = checkPrecision(
    `timestampPrecision of ${options.name}`,
    options.timestampPrecision ?? 'unknown',
  );
  const columns = [...managed.slice(0, 1), ...declared, ...managed.slice(1)].map(([p, o]) =>
    resolveColumn(p, o, timestampPrecision),
  );
  return assembleTable(options.name, columns, options.searchable ?? [], softDelete, options.entity);
}

/**
 * The same table, with filters and orders allowed on these sensitive properties: how a
 * repository opts in to looking rows up by a secret (an API token's hash, say). Everything else,
 * redaction in logs and hidden entity properties included, stays as it was.
 *
 * @example
 * protected readonly table = allowQueriesOn(apiKeysTable, ['keyHash']);
 */
export function allowQueriesOn<T extends IBaseEntity, R>(
  table: TableDefinition<T, R>,
  properties: ReadonlyArray<keyof T & string>,
): TableDefinition<T, R> {
  for (const property of properties) {
    if (!table.column(property)) throw new Error(`${table.name} has no property ${property}`);
  }
  const columns = table.columns.map((c) =>
    properties.includes(c.property as keyof T & string)
      ? Object.freeze({ ...c, queryable: true })
      : c,
  );
  const assembled = assembleTable(
    table.name,
    columns,
    table.searchable.map((c) => c.property),
    table.softDelete,
    table.entity,
  );
  return Object.freeze({ ...assembled, relations: table.relations });
}
