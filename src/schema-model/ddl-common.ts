/**
 * The pieces of DDL both dialects write alike: literals, CHECK and FOREIGN KEY clauses, column
 * definitions, CREATE TABLE and index statements, the order tables are created in. Every
 * identifier comes from a schema model (checked against `/^[a-z_][a-z0-9_]*$/` by `defineTable`
 * or by the snapshot reader); every value is written as a quoted literal.
 */
import type { SchemaChange } from './schema-diff';
import type { ColumnModel, IndexModel, SqlDialect, TableModel } from './schema-model';
import { constraintName } from './table-model';
import { sqlType } from './sql-types';

/** A string as an SQL literal: quoted, each quote doubled. */
export function stringLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A column default as an SQL literal of the dialect (booleans are 0/1 on SQLite). */
export function defaultLiteral(
  value: string | number | boolean | null,
  dialect: SqlDialect,
): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return stringLiteral(value);
  if (typeof value === 'boolean') return dialect === 'sqlite' ? (value ? '1' : '0') : String(value);
  // defineTable and the snapshot reader admit safe integers only.
  return String(value);
}

/**
 * The CHECK expression a column gets, or undefined: enums on both dialects; on SQLite, which
 * has no such types, booleans (`IN (0, 1)`), JSON (`json_valid`) and lengths too.
 */
export function checkExpression(column: ColumnModel, dialect: SqlDialect): string | undefined {
  const name = column.name;
  if (column.enumValues) return `${name} IN (${column.enumValues.map(stringLiteral).join(', ')})`;
  if (dialect === 'postgres') return undefined;
  if (column.type === 'boolean') return `${name} IN (0, 1)`;
  if (column.type === 'json') return `json_valid(${name})`;
  if (column.length !== undefined) return `length(${name}) <= ${column.length}`;
  return undefined;
}

/** The named CHECK constraint of a column (`CONSTRAINT <table>_<column>_check CHECK (…)`), or undefined. */
export function checkConstraint(
  table: string,
  column: ColumnModel,
  dialect: SqlDialect,
): string | undefined {
  const expression = checkExpression(column, dialect);
  if (expression === undefined) return undefined;
  return `CONSTRAINT ${constraintName(table, [column.name], 'check')} CHECK (${expression})`;
}

/**
 * The named foreign key of a column, or undefined: as a table constraint
 * (`CONSTRAINT … FOREIGN KEY (col) REFERENCES …`) or, `inline`, as a column constraint.
 */
export function foreignKeyConstraint(
  table: string,
  column: ColumnModel,
  inline = false,
): string | undefined {
  const ref = column.references;
  if (!ref) return undefined;
  const name = constraintName(table, [column.name], 'fkey');
  const target = `REFERENCES ${ref.table} (${ref.column}) ON DELETE ${ref.onDelete.toUpperCase()}`;
  return `CONSTRAINT ${name} ${inline ? '' : `FOREIGN KEY (${column.name}) `}${target}`;
}

/**
 * A column's definition: name, type, NOT NULL, DEFAULT; the id is `id TEXT NOT NULL PRIMARY KEY`
 * on SQLite and `id uuid PRIMARY KEY` on PostgreSQL (no default: the library makes ids). With
 * `inlineFor`, its CHECK and foreign key follow as column constraints (what ADD COLUMN takes).
 */
export function columnDefinition(
  column: ColumnModel,
  dialect: SqlDialect,
  inlineFor?: string,
): string {
  const type = sqlType(column, dialect);
  if (column.primaryKey) {
    return `${column.name} ${type}${dialect === 'sqlite' ? ' NOT NULL' : ''} PRIMARY KEY`;
  }
  const parts = [column.name, type];
  if (!column.nullable) parts.push('NOT NULL');
  if (column.default !== undefined)
    parts.push(`DEFAULT ${defaultLiteral(column.default, dialect)}`);
  if (inlineFor !== undefined) {
    const check = checkConstraint(inlineFor, column, dialect);
    const fk = foreignKeyConstraint(inlineFor, column, true);
    if (check) parts.push(check);
    if (fk) parts.push(fk);
  }
  return parts.join(' ');
}

/**
 * Whether a change makes a column NOT NULL that has a default: its NULLs take the default first,
 * so the change applies to a table holding them.
 */
export function fillsNullsWithDefault(
  change: SchemaChange,
): change is Extract<SchemaChange, { kind: 'alter-column' }> {
  return (
    change.kind === 'alter-column' &&
    change.aspects.includes('nullable') &&
    !change.after.nullable &&
    change.after.default != null
  );
}

/** `CREATE [UNIQUE] INDEX … ON table (…) [WHERE …];` */
export function createIndexStatement(table: string, index: IndexModel): string {
  const where = index.where ? ` WHERE ${index.where}` : '';
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${index.name} ON ${table} (${index.columns.join(', ')})${where};`;
}

/** `DROP INDEX …;` */
export function dropIndexStatement(index: IndexModel): string {
  return `DROP INDEX ${index.name};`;
}

/**
 * `CREATE TABLE` as the library's own migrations write it: the columns, then each column's
 * foreign key and CHECK as named table constraints; STRICT on SQLite. `as` names the table
 * created (the SQLite rebuild creates `new_<table>`); constraints keep the table's own name.
 */
export function createTableStatement(
  table: TableModel,
  dialect: SqlDialect,
  as = table.name,
): string {
  const lines = table.columns.map((column) => columnDefinition(column, dialect));
  for (const column of table.columns) {
    const fk = foreignKeyConstraint(table.name, column);
    const check = checkConstraint(table.name, column, dialect);
    if (fk) lines.push(fk);
    if (check) lines.push(check);
  }
  const strict = dialect === 'sqlite' ? ' STRICT' : '';
  return `CREATE TABLE ${as} (\n  ${lines.join(',\n  ')}\n)${strict};`;
}

/** A table and its indexes, created. */
export function createTableWithIndexes(table: TableModel, dialect: SqlDialect): string {
  const indexes = table.indexes.map((index) => createIndexStatement(table.name, index));
  return [createTableStatement(table, dialect), '', ...indexes].join('\n');
}

/**
 * The tables ordered so each comes after the tables it references (among these), which is the
 * order to create them in; reversed, the order to drop them in. A cycle keeps its given order.
 */
export function parentsFirst(tables: readonly TableModel[]): TableModel[] {
  const pending = new Map(tables.map((t) => [t.name, t]));
  const ordered: TableModel[] = [];
  const visit = (table: TableModel, path: Set<string>) => {
    if (!pending.has(table.name) || path.has(table.name)) return;
    path.add(table.name);
    for (const column of table.columns) {
      const parent = column.references && pending.get(column.references.table);
      if (parent && parent !== table) visit(parent, path);
    }
    if (pending.delete(table.name)) ordered.push(table);
  };
  for (const table of tables) visit(table, new Set());
  return ordered;
}

/** Groups of statements as file text: a blank line between groups, none left empty. */
export function joinBlocks(blocks: readonly (readonly string[])[]): string {
  return blocks
    .map((block) => block.join('\n').trimEnd())
    .filter((text) => text !== '')
    .join('\n\n');
}

/** The header every generated file starts with. */
export function generatedHeader(name: string, direction: 'up' | 'down'): string {
  return `-- ${name} (${direction}): written by \`nest-data-layer migrate generate\` from the table definitions.`;
}
