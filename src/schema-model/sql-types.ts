import type { ColumnModel, SqlDialect } from './schema-model';

/**
 * The SQL type of a column in a dialect, as the library's own migrations declare them:
 * PostgreSQL text is `COLLATE "C"` (code-point order, as SQLite's BINARY), timestamps are
 * `timestamptz(3)` (whole milliseconds, what the library returns), JSON is `jsonb`; SQLite tables
 * are STRICT, so every type is one of its five storage classes.
 */
export function sqlType(column: ColumnModel, dialect: SqlDialect): string {
  if (dialect === 'sqlite') {
    return column.type === 'integer' || column.type === 'boolean' ? 'INTEGER' : 'TEXT';
  }
  switch (column.type) {
    case 'uuid':
      return 'uuid';
    case 'string':
      return column.length !== undefined
        ? `varchar(${column.length}) COLLATE "C"`
        : 'text COLLATE "C"';
    case 'text':
      return 'text COLLATE "C"';
    case 'integer':
      return column.wide ? 'bigint' : 'integer';
    case 'boolean':
      return 'boolean';
    case 'timestamp':
      return 'timestamptz(3)';
    case 'json':
      return 'jsonb';
  }
}
