import type { LiveColumn, LiveIndex, LiveTable } from './live-schema';
import type { ColumnModel, IndexModel, SqlDialect, TableModel } from './schema-model';
import { sqlType } from './sql-types';

/** What kind of difference {@link compareSchema} found. */
export type SchemaDifferenceKind =
  | 'missing-table'
  | 'missing-column'
  | 'unexpected-column'
  | 'type'
  | 'nullability'
  | 'primary-key'
  | 'collation'
  | 'missing-index'
  | 'unexpected-unique-index'
  | 'missing-foreign-key'
  | 'foreign-key';

/**
 * One difference between the database and the table definitions.
 * - `drift`: the library's reads or writes may fail or mislead (a missing column, a type or
 *   nullability the definition does not expect, a missing index or foreign key);
 * - `warning`: worth knowing, harmless to the library (a nullable column it does not know, a
 *   unique index it was not told about, another collation).
 */
export interface SchemaDifference {
  readonly kind: SchemaDifferenceKind;
  readonly severity: 'drift' | 'warning';
  readonly table: string;
  readonly column?: string;
  /** One readable line naming the difference: `users.phone: missing column (TEXT)`. */
  readonly message: string;
}

/** A predicate in one spelling: no quotes, no outer parentheses, one space, lower case. */
export function normalizePredicate(predicate: string | undefined): string | undefined {
  if (predicate === undefined) return undefined;
  let text = predicate.replace(/"/g, '').replace(/\s+/g, ' ').trim();
  while (/^\(.*\)$/.test(text) && balanced(text.slice(1, -1))) text = text.slice(1, -1).trim();
  return text.toLowerCase();
}

function balanced(text: string): boolean {
  let depth = 0;
  for (const char of text) {
    depth += char === '(' ? 1 : char === ')' ? -1 : 0;
    if (depth < 0) return false;
  }
  return depth === 0;
}

/** The shape an index is compared by: its columns, uniqueness and predicate, not its name. */
const shapeOf = (index: IndexModel | LiveIndex): string =>
  JSON.stringify([index.columns, index.unique, normalizePredicate(index.where) ?? null]);

/** `unique index (number) WHERE deleted_at IS NULL`, with the name between when given. */
function describeIndex(index: IndexModel | LiveIndex, name = ''): string {
  const where = index.where === undefined ? '' : ` WHERE ${index.where}`;
  const kind = index.unique ? 'unique index' : 'index';
  return `${kind} ${name}${name && ' '}(${index.columns.join(', ')})${where}`;
}

/** The live column's type in the definition's terms, as the dialect writes it; undefined when none fits. */
function liveType(column: LiveColumn, dialect: SqlDialect): string | undefined {
  return column.type && sqlType({ ...column, type: column.type }, dialect);
}

/** `no action` refuses the delete as `restrict` does (only later in the transaction). */
const sameOnDelete = (live: string, expected: string) =>
  live === expected || (live === 'no action' && expected === 'restrict');

function compareColumn(
  table: string,
  expected: ColumnModel,
  live: LiveColumn,
  dialect: SqlDialect,
): SchemaDifference[] {
  const at = `${table}.${expected.name}`;
  const found: SchemaDifference[] = [];
  const add = (
    kind: SchemaDifferenceKind,
    severity: SchemaDifference['severity'],
    message: string,
  ) => found.push({ kind, severity, table, column: expected.name, message: `${at}: ${message}` });
  const wanted = sqlType(expected, dialect);
  if (liveType(live, dialect) !== wanted) {
    add(
      'type',
      'drift',
      `type is ${live.sqlType}, the definition says ${expected.type} (${wanted})`,
    );
  }
  if (live.nullable !== expected.nullable) {
    add(
      'nullability',
      'drift',
      live.nullable
        ? 'nullable in the database, NOT NULL in the definition'
        : 'NOT NULL in the database, nullable in the definition',
    );
  }
  if (expected.primaryKey && !live.primaryKey) add('primary-key', 'drift', 'not the primary key');
  const textual = expected.type === 'string' || expected.type === 'text';
  if (dialect === 'postgres' && textual && live.collation !== undefined && live.collation !== 'C') {
    add(
      'collation',
      'warning',
      `collation is ${live.collation ?? 'the database default'}, the library's is "C" (code-point order, as on SQLite)`,
    );
  }
  return found;
}

function compareForeignKey(
  table: string,
  expected: ColumnModel,
  live: LiveTable,
): SchemaDifference | undefined {
  const wanted = expected.references;
  if (!wanted) return undefined;
  const at = `${table}.${expected.name}`;
  const target = `${wanted.table}.${wanted.column} ON DELETE ${wanted.onDelete.toUpperCase()}`;
  const key = live.foreignKeys.find(
    (k) => k.columns.length === 1 && k.columns[0] === expected.name,
  );
  if (!key) {
    const message = `${at}: missing foreign key to ${target}`;
    return {
      kind: 'missing-foreign-key',
      severity: 'drift',
      table,
      column: expected.name,
      message,
    };
  }
  const same =
    key.table === wanted.table &&
    key.targetColumns.length === 1 &&
    key.targetColumns[0] === wanted.column &&
    sameOnDelete(key.onDelete, wanted.onDelete);
  if (same) return undefined;
  const actual = `${key.table}.${key.targetColumns.join(', ')} ON DELETE ${key.onDelete.toUpperCase()}`;
  const message = `${at}: foreign key to ${actual}, the definition says ${target}`;
  return { kind: 'foreign-key', severity: 'drift', table, column: expected.name, message };
}

function compareTable(
  expected: TableModel,
  live: LiveTable,
  dialect: SqlDialect,
): SchemaDifference[] {
  const table = expected.name;
  const found: SchemaDifference[] = [];
  const liveColumns = new Map(live.columns.map((c) => [c.name, c]));
  for (const column of expected.columns) {
    const actual = liveColumns.get(column.name);
    if (!actual) {
      const message = `${table}.${column.name}: missing column (${sqlType(column, dialect)})`;
      found.push({
        kind: 'missing-column',
        severity: 'drift',
        table,
        column: column.name,
        message,
      });
      continue;
    }
    found.push(...compareColumn(table, column, actual, dialect));
    const key = compareForeignKey(table, column, live);
    if (key) found.push(key);
  }
  const known = new Set(expected.columns.map((c) => c.name));
  for (const column of live.columns.filter((c) => !known.has(c.name))) {
    // The library inserts only the columns it knows: one the database must be given fails them.
    const blocking = !column.nullable && !column.hasDefault;
    found.push({
      kind: 'unexpected-column',
      severity: blocking ? 'drift' : 'warning',
      table,
      column: column.name,
      message: `${table}.${column.name}: unexpected column (${column.sqlType}), not in the definition${
        blocking ? '; NOT NULL without a default, so every insert of the library fails' : ''
      }`,
    });
  }
  const liveShapes = new Set(live.indexes.map(shapeOf));
  for (const index of expected.indexes.filter((i) => !liveShapes.has(shapeOf(i)))) {
    const message = `${table}: missing ${describeIndex(index)} (generated as ${index.name})`;
    found.push({ kind: 'missing-index', severity: 'drift', table, message });
  }
  const expectedShapes = new Set(expected.indexes.map(shapeOf));
  for (const index of live.indexes.filter((i) => i.unique && !expectedShapes.has(shapeOf(i)))) {
    found.push({
      kind: 'unexpected-unique-index',
      severity: 'warning',
      table,
      message: `${table}: ${describeIndex(index, index.name)} is not in the definition; rows it refuses fail as UniqueConstraintException`,
    });
  }
  return found;
}

/**
 * Compares the tables the definitions describe with the tables the database holds, and lists
 * each difference as one readable line. What counts as drift (docs/migrations.md, "Checking for
 * drift"): a missing table, column, index or foreign key; a column of another type (PostgreSQL:
 * the type as generated, `text` and `varchar` without a length being one; SQLite: the storage
 * class only), another nullability, an `id` that is not the primary key; a column the definition
 * does not know that is NOT NULL without a default. Warnings: another column the definition does
 * not know, a unique index it does not declare, a PostgreSQL text collation other than "C".
 * Not compared: index names, extra plain indexes, extra foreign keys, defaults, CHECK
 * constraints, timestamp precision.
 */
export function compareSchema(
  expected: readonly TableModel[],
  live: readonly LiveTable[],
  dialect: SqlDialect,
): SchemaDifference[] {
  const liveTables = new Map(live.map((t) => [t.name, t]));
  return expected.flatMap((table) => {
    const actual = liveTables.get(table.name);
    if (actual) return compareTable(table, actual, dialect);
    const message = `${table.name}: missing table (defined, not in the database)`;
    return [
      { kind: 'missing-table' as const, severity: 'drift' as const, table: table.name, message },
    ];
  });
}
