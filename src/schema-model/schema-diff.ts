/**
 * What changed between two schemas, as a list a migration writer turns into DDL. Names decide:
 * a table or column is the same one when its name is, so a rename is a drop plus an add, never a
 * guess. Indexes are compared by shape (columns, uniqueness, predicate), not by name.
 */
import type { ColumnModel, IndexModel, TableModel } from './schema-model';
import { SchemaChangeException } from './schema-change.exception';

/** Which properties of a column differ: each is one kind of ALTER. */
export type ColumnAspect = 'type' | 'length' | 'enum' | 'nullable' | 'default' | 'foreign-key';

/** One difference between two schemas. */
export type SchemaChange =
  | { readonly kind: 'create-table'; readonly table: TableModel }
  | { readonly kind: 'drop-table'; readonly table: TableModel }
  | { readonly kind: 'add-column'; readonly table: string; readonly column: ColumnModel }
  | { readonly kind: 'drop-column'; readonly table: string; readonly column: ColumnModel }
  | {
      readonly kind: 'alter-column';
      readonly table: string;
      readonly before: ColumnModel;
      readonly after: ColumnModel;
      readonly aspects: readonly ColumnAspect[];
    }
  | { readonly kind: 'add-index'; readonly table: string; readonly index: IndexModel }
  | { readonly kind: 'drop-index'; readonly table: string; readonly index: IndexModel };

/** The changes of one kind, typed as such. */
export function changesOfKind<K extends SchemaChange['kind']>(
  changes: readonly SchemaChange[],
  kind: K,
): Extract<SchemaChange, { kind: K }>[] {
  return changes.filter((c): c is Extract<SchemaChange, { kind: K }> => c.kind === kind);
}

/** The table a change is about. */
export function changedTable(change: SchemaChange): string {
  return change.kind === 'create-table' || change.kind === 'drop-table'
    ? change.table.name
    : change.table;
}

const byName = <T extends { name: string }>(items: readonly T[]) =>
  new Map(items.map((item) => [item.name, item]));

/** The key two indexes share when they are the same index under any name. */
export function indexShape(index: IndexModel): string {
  return `${index.unique ? 'unique' : 'plain'} (${index.columns.join(', ')}) ${index.where ?? ''}`;
}

function sameValues(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return (a ?? []).join('\u0000') === (b ?? []).join('\u0000') && !a === !b;
}

function columnAspects(before: ColumnModel, after: ColumnModel): ColumnAspect[] {
  const aspects: ColumnAspect[] = [];
  if (before.type !== after.type || !before.wide !== !after.wide) aspects.push('type');
  if (before.length !== after.length) aspects.push('length');
  if (!sameValues(before.enumValues, after.enumValues)) aspects.push('enum');
  if (before.nullable !== after.nullable) aspects.push('nullable');
  if (before.default !== after.default) aspects.push('default');
  const fk = (c: ColumnModel) =>
    c.references ? `${c.references.table}.${c.references.column} ${c.references.onDelete}` : '';
  if (fk(before) !== fk(after)) aspects.push('foreign-key');
  return aspects;
}

function tableChanges(before: TableModel, after: TableModel): SchemaChange[] {
  const table = after.name;
  const changes: SchemaChange[] = [];
  const oldColumns = byName(before.columns);
  const newColumns = byName(after.columns);
  for (const column of before.columns) {
    if (!newColumns.has(column.name)) changes.push({ kind: 'drop-column', table, column });
  }
  for (const column of after.columns) {
    const old = oldColumns.get(column.name);
    if (!old) {
      changes.push({ kind: 'add-column', table, column });
      continue;
    }
    const aspects = columnAspects(old, column);
    if (aspects.length > 0) {
      changes.push({ kind: 'alter-column', table, before: old, after: column, aspects });
    }
  }
  const oldShapes = new Set(before.indexes.map(indexShape));
  const newShapes = new Set(after.indexes.map(indexShape));
  for (const index of before.indexes) {
    if (!newShapes.has(indexShape(index))) changes.push({ kind: 'drop-index', table, index });
  }
  for (const index of after.indexes) {
    if (!oldShapes.has(indexShape(index))) changes.push({ kind: 'add-index', table, index });
  }
  return changes;
}

/**
 * The changes that turn the `before` tables into the `after` tables: dropped tables, created
 * tables, then each kept table's column and index changes, in the order of `after`.
 */
export function diffSchemas(
  before: readonly TableModel[],
  after: readonly TableModel[],
): SchemaChange[] {
  const oldTables = byName(before);
  const newTables = byName(after);
  const changes: SchemaChange[] = [];
  for (const table of before) {
    if (!newTables.has(table.name)) changes.push({ kind: 'drop-table', table });
  }
  for (const table of after) {
    const old = oldTables.get(table.name);
    changes.push(...(old ? tableChanges(old, table) : [{ kind: 'create-table' as const, table }]));
  }
  return changes;
}

/** A change as one line of the command's output: `+ table invoices`, `~ column invoices.note (nullable)`. */
export function describeChange(change: SchemaChange): string {
  switch (change.kind) {
    case 'create-table':
      return `+ table ${change.table.name}`;
    case 'drop-table':
      return `- table ${change.table.name}`;
    case 'add-column':
      return `+ column ${change.table}.${change.column.name}`;
    case 'drop-column':
      return `- column ${change.table}.${change.column.name}`;
    case 'alter-column':
      return `~ column ${change.table}.${change.after.name} (${change.aspects.join(', ')})`;
    case 'add-index':
      return `+ index ${change.index.name}`;
    case 'drop-index':
      return `- index ${change.index.name}`;
  }
}

/**
 * Refuses, before anything is written, the changes that would lose data or cannot apply to a
 * table with rows: any drop unless `allowDrop`, and a NOT NULL column without a default added to
 * an existing table. The message names each one.
 */
export function refuseUnsafeChanges(
  changes: readonly SchemaChange[],
  options: { allowDrop: boolean },
): void {
  const drops = changes.flatMap((change) =>
    change.kind === 'drop-table'
      ? [`table ${change.table.name}`]
      : change.kind === 'drop-column'
        ? [`column ${change.table}.${change.column.name}`]
        : [],
  );
  if (drops.length > 0 && !options.allowDrop) {
    throw new SchemaChangeException(
      [
        `These changes drop data, refused without --allow-drop:`,
        ...drops.map((drop) => `  - ${drop}`),
        'A rename is never guessed: write it by hand (ALTER TABLE … RENAME …) as a migration of',
        'your own, or accept it as a drop plus an add with --allow-drop, which loses what it held.',
      ].join('\n'),
      'SCHEMA_DROP_REFUSED',
    );
  }
  for (const change of changes) {
    if (change.kind === 'add-column' && !change.column.nullable && change.column.default == null) {
      throw new SchemaChangeException(
        `Cannot add ${change.table}.${change.column.name} as NOT NULL without a default: the ` +
          'rows already in the table would have no value. Give it a default or make it nullable.',
        'SCHEMA_CHANGE_UNSAFE',
      );
    }
  }
}
