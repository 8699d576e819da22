import type { ColumnDefinition, TableDefinition } from '../../schema/table-definition';
import type { PlanValue } from '../../query/query-plan';
import { hasTimestampShape, unreadableTimestamp } from '../../query/timestamp';
import type { SqlDialect } from '../sql/sql-dialect';

function encodeSqlite(column: ColumnDefinition, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (column.type === 'boolean') return value ? 1 : 0;
  if (column.type === 'json') return JSON.stringify(value);
  return value;
}

const decodeBoolean = (value: unknown): unknown => (value === null ? null : value === 1);
const decodeJson = (value: unknown): unknown =>
  value === null ? null : JSON.parse(value as string);

/**
 * Timestamps are compared as text, which is right only for the library's one form; the library's
 * tables hold nothing else (migration 0007 normalizes what other writers store). Other text (a
 * table of the application's own written by another program) is a QueryException naming the
 * column rather than a value that would silently compare wrong as a filter or cursor.
 */
function timestampDecoder(column: ColumnDefinition, table: TableDefinition<any>) {
  return (value: unknown): unknown => {
    if (value === null || (typeof value === 'string' && hasTimestampShape(value))) return value;
    throw unreadableTimestamp(table.name, column, value);
  };
}

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

/** SQLite: `?` placeholders, IN lists as one JSON parameter, booleans as 0/1, JSON as text. */
export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  // SQLITE_MAX_VARIABLE_NUMBER's default since SQLite 3.32, which better-sqlite3 bundles.
  maxParameters: 32_766,
  placeholder: () => '?',
  // One parameter whatever the list's length, so the statement is prepared once per shape.
  inList: (_column, sql, placeholder) => `${sql} IN (SELECT value FROM json_each(${placeholder}))`,
  inListParam: (column: ColumnDefinition, values: readonly PlanValue[]) =>
    JSON.stringify(values.map((v) => encodeSqlite(column, v))),
  // case_sensitive_like is on for every connection, so LIKE is case-sensitive as on Postgres.
  like: (column, placeholder, caseInsensitive) =>
    caseInsensitive
      ? `lower(${column}) LIKE lower(${placeholder}) ESCAPE '\\'`
      : `${column} LIKE ${placeholder} ESCAPE '\\'`,
  nullsOrder: (direction) => (direction === 'asc' ? ' NULLS LAST' : ' NULLS FIRST'),
  // The library's timestamp form; 'now' is read once per statement.
  clock: {
    now: NOW,
    after: (placeholder) =>
      `strftime('%Y-%m-%dT%H:%M:%fZ', 'now', (${placeholder} / 1000.0) || ' seconds')`,
  },
  // One writer at a time: an UPDATE takes the database's write lock before it reads, so a claim's
  // pick and its write see no other claim in between. SQLite has no row locks to skip.
  skipLocked: false,
  // 0/1 booleans, JSON columns' text and timestamps' text keep their stored form inside json_array.
  relatedRows: {
    aggregate: (row, order) => `json_group_array(${row}${order})`,
    row: (columns) => `json_array(${columns.join(', ')})`,
    parse: (value) => JSON.parse(value as string) as unknown[][],
    fromJson: () => undefined,
  },
  encode: encodeSqlite,
  decoder: (column, table) =>
    column.type === 'boolean'
      ? decodeBoolean
      : column.type === 'json'
        ? decodeJson
        : column.type === 'timestamp'
          ? timestampDecoder(column, table)
          : undefined,
};
