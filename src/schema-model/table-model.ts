import { createHash } from 'node:crypto';
import { INT32_RANGE } from '../schema/column-options';
import type { ColumnDefinition, TableDefinition } from '../schema/table-definition';
import type { ColumnModel, IndexModel, TableModel } from './schema-model';

/** PostgreSQL's longest identifier, in bytes; SQLite has no limit, so both use this one. */
const MAX_IDENTIFIER = 63;

/**
 * The name generated DDL gives an index or constraint: `<table>_<columns>_<suffix>`, as the
 * library's own migrations name theirs; a name past 63 bytes is cut and ends in a short hash of
 * the whole, so it stays unique and PostgreSQL does not truncate it silently.
 */
export function constraintName(table: string, columns: readonly string[], suffix: string): string {
  const name = `${table}_${columns.join('_')}_${suffix}`;
  if (name.length <= MAX_IDENTIFIER) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, MAX_IDENTIFIER - hash.length - suffix.length - 2)}_${hash}_${suffix}`;
}

function columnModel(column: ColumnDefinition): ColumnModel {
  const range = column.range;
  const wide = range !== undefined && (range.min < INT32_RANGE.min || range.max > INT32_RANGE.max);
  return Object.freeze({
    name: column.column,
    type: column.type,
    nullable: column.nullable,
    primaryKey: column.property === 'id',
    ...(column.length !== undefined && { length: column.length }),
    ...(column.enumValues !== undefined && { enumValues: column.enumValues }),
    ...(wide && { wide }),
    ...(column.defaultValue !== undefined && { default: column.defaultValue }),
    ...(column.references !== undefined && {
      references: Object.freeze({
        table: column.references.table,
        column: column.references.column ?? 'id',
        onDelete: column.references.onDelete ?? 'restrict',
      }),
    }),
  });
}

/**
 * The indexes a table gets, following the library's own migrations:
 * - each unique column: a unique index, partial (`WHERE deleted_at IS NULL`) on soft-delete
 *   tables so a deleted row never blocks re-creating it (`<table>_<column>_key`);
 * - each foreign key column: `(column, created_at, id)`, which serves the parent's rows in the
 *   default order and the foreign key check when the parent is deleted (`…_created_at_idx`);
 * - each column declared `index: true`: a plain index on it (`<table>_<column>_idx`);
 * - `(created_at, id)`: the default order and cursor pages;
 * - on soft-delete tables, `deleted_at`.
 */
function indexModels(table: TableDefinition<any>): IndexModel[] {
  const indexes: IndexModel[] = [];
  const add = (named: string, columns: string[], unique: boolean, suffix: string) =>
    indexes.push(
      Object.freeze({
        name: constraintName(table.name, [named], suffix),
        columns: Object.freeze(columns),
        unique,
        ...(unique && table.softDelete && { where: 'deleted_at IS NULL' as const }),
      }),
    );
  for (const column of table.columns) {
    const name = column.column;
    if (column.property === 'id') continue;
    if (column.unique) add(name, [name], true, 'key');
    if (column.references && !column.unique) {
      add(name, [name, 'created_at', 'id'], false, 'created_at_idx');
    }
    if (column.indexed && !column.unique) add(name, [name], false, 'idx');
  }
  add('created_at', ['created_at', 'id'], false, 'id_idx');
  if (table.softDelete) add('deleted_at', ['deleted_at'], false, 'idx');
  return indexes;
}

/** The schema model of one table definition: its columns in order and the indexes it gets. */
export function tableModelOf(table: TableDefinition<any>): TableModel {
  return Object.freeze({
    name: table.name,
    softDelete: table.softDelete,
    columns: Object.freeze(table.columns.map(columnModel)),
    indexes: Object.freeze(indexModels(table)),
  });
}
