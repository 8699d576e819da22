import type { ColumnDefinition, TableDefinition } from '../../schema/table-definition';
import type { PlanValue } from '../../query/query-plan';
import {
  isTimestampInRange,
  parseStoredTimestamp,
  unreadableTimestamp,
} from '../../query/timestamp';
import type { SqlDialect } from '../sql/sql-dialect';
import { timestamptzValue } from './postgres-timestamp-text';

const ARRAY_TYPES: Record<string, string> = {
  uuid: 'uuid[]',
  string: 'text[]',
  text: 'text[]',
  integer: 'int4[]',
  boolean: 'bool[]',
  timestamp: 'timestamptz[]',
};

function encodePostgres(column: ColumnDefinition, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  // node-postgres would send a JS array as a Postgres array; JSON columns need JSON text.
  if (column.type === 'json') return JSON.stringify(value);
  return value;
}

/**
 * A timestamptz as the library returns it: its ISO form, exact for milliseconds, sub-millisecond
 * digits cut (never rounded up). The driver reads it as text for the library's own statements
 * (UTC text becomes ISO without a Date, see postgres-timestamp-text.ts); node-postgres' Date
 * (JSON path, other zones), `infinity` / `-infinity` as ±Infinity. What has no ISO form of years
 * 1 to 9999 is a QueryException naming the column.
 */
function timestampDecoder(column: ColumnDefinition, table: TableDefinition<any>) {
  return (read: unknown): unknown => {
    if (read === null) return null;
    const value = timestamptzValue(read);
    if (typeof value === 'string') return value;
    if (value instanceof Date && isTimestampInRange(value.getTime())) return value.toISOString();
    const shown = typeof value === 'number' ? (value > 0 ? 'infinity' : '-infinity') : value;
    throw unreadableTimestamp(table.name, column, shown);
  };
}

/**
 * A timestamptz inside JSON is ISO text in the session's zone; the driver's Date is rebuilt from
 * it (sub-millisecond digits cut, as node-postgres cuts them), `infinity` as ±Infinity, so the
 * column's decoder returns or refuses exactly what it does for a plain read.
 */
function timestampFromJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value === 'infinity' || value === '-infinity')
    return value === 'infinity' ? Infinity : -Infinity;
  const ms = parseStoredTimestamp(value);
  return ms === undefined ? value : new Date(ms);
}

/** PostgreSQL: `$n` placeholders, IN lists as one array parameter, native booleans and jsonb. */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  // The wire protocol counts a statement's parameters in 16 bits.
  maxParameters: 65_535,
  placeholder: (index) => `$${index}`,
  // Typed, so the planner knows the element type even for a list of one NULL-free value.
  inList: (column, sql, placeholder) => `${sql} = ANY(${placeholder}::${ARRAY_TYPES[column.type]})`,
  inListParam: (_column: ColumnDefinition, values: readonly PlanValue[]) => values,
  like: (column, placeholder, caseInsensitive) =>
    `${column} ${caseInsensitive ? 'ILIKE' : 'LIKE'} ${placeholder} ESCAPE '\\'`,
  // Postgres already sorts NULLs as larger than every value.
  nullsOrder: () => '',
  // The driver parses the json aggregate; booleans, integers, text and jsonb arrive as they would.
  relatedRows: {
    aggregate: (row, order) => `COALESCE(json_agg(${row}${order}), '[]'::json)`,
    row: (columns) => `json_build_array(${columns.join(', ')})`,
    parse: (value) => value as unknown[][],
    fromJson: (column) => (column.type === 'timestamp' ? timestampFromJson : undefined),
  },
  encode: encodePostgres,
  decoder: (column, table) =>
    column.type === 'timestamp' ? timestampDecoder(column, table) : undefined,
  // The statement's start, not the transaction's (now()): a lease taken late in a long
  // transaction still lasts its full length.
  clock: {
    now: 'statement_timestamp()',
    after: (placeholder) =>
      `statement_timestamp() + ${placeholder}::integer * interval '1 millisecond'`,
  },
  // Concurrent transactions: a claim locks what it picks and skips what other claims locked.
  skipLocked: true,
  // timestamptz keeps microseconds unless declared timestamptz(3), so a timestamp column whose
  // definition does not declare it millisecond-exact (the library's tables do, since migration
  // 0009) is compared in millisecond buckets.
  millisecondBuckets: { truncate: (column) => `date_trunc('milliseconds', ${column})` },
};
