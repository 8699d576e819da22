import type { ColumnDefinition } from '../../schema/table-definition';
import type { PlanValue } from '../../query/query-plan';
import type { SqlDialect } from './sql-dialect';

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

const decodeTimestamp = (value: unknown): unknown =>
  value === null
    ? null
    : value instanceof Date
      ? value.toISOString()
      : new Date(value as string).toISOString();

/** PostgreSQL: `$n` placeholders, IN lists as one array parameter, native booleans and jsonb. */
export const postgresDialect: SqlDialect = {
  name: 'postgres',
  placeholder: (index) => `$${index}`,
  // Typed, so the planner knows the element type even for a list of one NULL-free value.
  inList: (column, sql, placeholder) => `${sql} = ANY(${placeholder}::${ARRAY_TYPES[column.type]})`,
  inListParam: (_column: ColumnDefinition, values: readonly PlanValue[]) => values,
  like: (column, placeholder, caseInsensitive) =>
    `${column} ${caseInsensitive ? 'ILIKE' : 'LIKE'} ${placeholder} ESCAPE '\\'`,
  // Postgres already sorts NULLs as larger than every value.
  nullsOrder: () => '',
  encode: encodePostgres,
  decoder: (column) => (column.type === 'timestamp' ? decodeTimestamp : undefined),
};
