import type { ColumnDefinition, IBaseEntity, TableDefinition } from './table-definition';

/**
 * Relations between tables, declared by foreign key and attached to a table with
 * {@link withRelations}. The related table is given as a thunk (`() => paymentsTable`), read only
 * when a query first uses the relation, so two table modules may name each other: neither needs
 * the other's value while it loads.
 */

/** How the rows of two tables relate. */
export type RelationKind = 'belongsTo' | 'hasMany' | 'hasOne';

/** A relation as declared: its kind, the related table and the foreign key property. */
export interface RelationDeclaration<
  K extends RelationKind = RelationKind,
  R extends IBaseEntity = any,
> {
  readonly kind: K;
  /** The related table, read on first use. */
  readonly target: () => TableDefinition<R, any>;
  /**
   * The foreign key property: on this table for `belongsTo` (it holds the related row's id), on
   * the related table for `hasMany` / `hasOne` (it holds this row's id).
   */
  readonly foreignKey: string;
}

/** The relations of a table, by the name they are included and filtered under. */
export type RelationDeclarations = Readonly<Record<string, RelationDeclaration>>;

/**
 * This table's `foreignKey` holds the id of one row of `target` (a payment belongs to its user).
 * When two tables name each other, annotate one thunk's return type
 * (`(): TableDefinition<IUserEntity> => usersTable`) so TypeScript need not infer both at once.
 */
export function belongsTo<R extends IBaseEntity>(
  target: () => TableDefinition<R, any>,
  foreignKey: string,
): RelationDeclaration<'belongsTo', R> {
  return Object.freeze({ kind: 'belongsTo', target, foreignKey });
}

/** Rows of `target` hold this row's id in their `foreignKey` (a user has many payments). */
export function hasMany<R extends IBaseEntity>(
  target: () => TableDefinition<R, any>,
  foreignKey: keyof R & string,
): RelationDeclaration<'hasMany', R> {
  return Object.freeze({ kind: 'hasMany', target, foreignKey });
}

/**
 * As {@link hasMany}, read as one row or null: the first related row in the include's order
 * (default `createdAt` ascending, then id).
 */
export function hasOne<R extends IBaseEntity>(
  target: () => TableDefinition<R, any>,
  foreignKey: keyof R & string,
): RelationDeclaration<'hasOne', R> {
  return Object.freeze({ kind: 'hasOne', target, foreignKey });
}

// A relation name is a property of the results and a PostgREST embedding alias and filter prefix.
const RELATION_NAME = /^[a-z][A-Za-z0-9]*$/;

/**
 * The same table with these relations declared on it: what `include` and the `some` / `none` /
 * `every` filters name. Names must be camelCase and not a column's property.
 *
 * @example
 * export const usersTable = withRelations(defineTable<IUserEntity>({ … }), {
 *   payments: hasMany(() => paymentsTable, 'userId'),
 * });
 */
export function withRelations<T extends IBaseEntity, const R extends RelationDeclarations>(
  table: TableDefinition<T, any>,
  relations: R,
): TableDefinition<T, R> {
  for (const [name, declaration] of Object.entries(relations)) {
    if (!RELATION_NAME.test(name) || table.column(name)) {
      throw new Error(
        `Relation ${table.name}.${name}: a name must match ${RELATION_NAME} and not be a column`,
      );
    }
    const { kind, target, foreignKey } = declaration ?? {};
    if (!['belongsTo', 'hasMany', 'hasOne'].includes(kind) || typeof target !== 'function') {
      throw new Error(
        `Relation ${table.name}.${name}: declare it with belongsTo, hasMany or hasOne`,
      );
    }
    if (kind === 'belongsTo' && !table.column(foreignKey)) {
      throw new Error(
        `Relation ${table.name}.${name}: ${table.name} has no property ${foreignKey}`,
      );
    }
  }
  return Object.freeze({ ...table, relations: Object.freeze({ ...relations }) });
}

/**
 * A relation resolved against both tables: the rows of `target` whose `targetColumn` equals the
 * `sourceColumn` of a row of `source`.
 */
export interface Relation {
  readonly name: string;
  readonly kind: RelationKind;
  readonly source: TableDefinition<any>;
  readonly target: TableDefinition<any>;
  readonly sourceColumn: ColumnDefinition;
  readonly targetColumn: ColumnDefinition;
  /** Whether it yields one row or null (belongsTo, hasOne) rather than an array (hasMany). */
  readonly single: boolean;
}

const resolved = new WeakMap<TableDefinition<any>, Map<string, Relation>>();

/**
 * The relation `name` of `table`, resolved on first use and kept with the table; undefined when
 * the table declares no such relation. Throws an Error for a declaration whose foreign key the
 * related table does not have (a mistake in the schema, not in the query).
 */
export function relationOf(table: TableDefinition<any>, name: string): Relation | undefined {
  const declarations = table.relations as RelationDeclarations | undefined;
  if (!declarations || !Object.hasOwn(declarations, name)) return undefined;
  let byName = resolved.get(table);
  if (!byName) resolved.set(table, (byName = new Map()));
  let relation = byName.get(name);
  if (!relation) byName.set(name, (relation = resolve(table, name, declarations[name])));
  return relation;
}

function resolve(
  source: TableDefinition<any>,
  name: string,
  declaration: RelationDeclaration,
): Relation {
  const target = declaration.target();
  const owner = declaration.kind === 'belongsTo' ? source : target;
  const foreignKey = owner?.column?.(declaration.foreignKey);
  if (!foreignKey || foreignKey.type !== 'uuid') {
    throw new Error(
      `Relation ${source.name}.${name}: ${owner?.name ?? 'the related table'} has no uuid property ${declaration.foreignKey}`,
    );
  }
  const belongs = declaration.kind === 'belongsTo';
  return Object.freeze({
    name,
    kind: declaration.kind,
    source,
    target,
    sourceColumn: belongs ? foreignKey : source.primaryKey,
    targetColumn: belongs ? target.primaryKey : foreignKey,
    single: declaration.kind !== 'hasMany',
  });
}
