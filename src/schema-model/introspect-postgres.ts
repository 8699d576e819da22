import type { LiveColumn, LiveTable, SchemaIntrospector } from './live-schema';

/** PostgreSQL's `data_type` words mapped back to a definition's column type. */
const TYPES: Record<string, Pick<LiveColumn, 'type' | 'wide'>> = {
  uuid: { type: 'uuid' },
  'character varying': { type: 'string' },
  text: { type: 'text' },
  integer: { type: 'integer' },
  bigint: { type: 'integer', wide: true },
  boolean: { type: 'boolean' },
  'timestamp with time zone': { type: 'timestamp' },
  jsonb: { type: 'json' },
};

/** `confdeltype` of pg_constraint, in words. */
const ON_DELETE: Record<string, string> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

// Every query names the tables through one bound text[] parameter, in the current schema.
const COLUMNS = `
  SELECT table_name, column_name, data_type, character_maximum_length, is_nullable,
         column_default, is_identity, is_generated, collation_name
    FROM information_schema.columns
   WHERE table_schema = current_schema() AND table_name = ANY($1::text[])
   ORDER BY table_name, ordinal_position`;

/** Key columns by name in order (an expression has no name), INCLUDE columns left out. */
const KEY_NAMES = (keys: string, relation: string, count?: string) => `
  ARRAY(SELECT a.attname::text
          FROM unnest(${keys}::int2[]) WITH ORDINALITY AS k(attnum, n)
          LEFT JOIN pg_attribute a ON a.attrelid = ${relation} AND a.attnum = k.attnum
         ${count ? `WHERE k.n <= ${count}` : ''}
         ORDER BY k.n)`;

const INDEXES = `
  SELECT t.relname AS table_name, i.relname AS index_name, x.indisunique AS is_unique,
         x.indisprimary AS is_primary, pg_get_expr(x.indpred, x.indrelid) AS predicate,
         ${KEY_NAMES('x.indkey', 'x.indrelid', 'x.indnkeyatts')} AS columns
    FROM pg_index x
    JOIN pg_class t ON t.oid = x.indrelid
    JOIN pg_class i ON i.oid = x.indexrelid
   WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1::text[])
   ORDER BY t.relname, i.relname`;

const FOREIGN_KEYS = `
  SELECT t.relname AS table_name, p.relname AS parent, c.confdeltype AS on_delete,
         ${KEY_NAMES('c.conkey', 'c.conrelid')} AS columns,
         ${KEY_NAMES('c.confkey', 'c.confrelid')} AS target_columns
    FROM pg_constraint c
    JOIN pg_class t ON t.oid = c.conrelid
    JOIN pg_class p ON p.oid = c.confrelid
   WHERE c.contype = 'f' AND t.relnamespace = current_schema()::regnamespace
     AND t.relname = ANY($1::text[])
   ORDER BY t.relname, c.conname`;

const names = (value: unknown): string[] =>
  (value as (string | null)[]).map((name) => name ?? '(expression)');

/** Rows grouped by their `table_name`. */
function byTable(rows: Record<string, unknown>[]): Map<string, Record<string, unknown>[]> {
  const grouped = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    const table = String(row.table_name);
    grouped.set(table, [...(grouped.get(table) ?? []), row]);
  }
  return grouped;
}

/**
 * Reads tables of a PostgreSQL (or PGlite) database in the current schema: columns from
 * `information_schema.columns`, indexes from `pg_index` (the partial predicate through
 * `pg_get_expr`), foreign keys from `pg_constraint`. Three queries, whatever the number of tables.
 */
export const introspectPostgres: SchemaIntrospector = async (query, tables) => {
  const wanted = [...tables];
  const [columns, indexes, foreignKeys] = [
    byTable(await query(COLUMNS, [wanted])),
    byTable(await query(INDEXES, [wanted])),
    byTable(await query(FOREIGN_KEYS, [wanted])),
  ];
  const live: LiveTable[] = [];
  for (const name of tables) {
    const columnRows = columns.get(name);
    if (!columnRows) continue;
    const indexRows = indexes.get(name) ?? [];
    const primary = indexRows.find((row) => row.is_primary === true);
    const primaryColumns = primary ? names(primary.columns) : [];
    live.push({
      name,
      columns: columnRows.map((row) => {
        const dataType = String(row.data_type);
        const length =
          row.character_maximum_length === null ? undefined : Number(row.character_maximum_length);
        const column = String(row.column_name);
        return {
          name: column,
          sqlType: length === undefined ? dataType : `${dataType}(${length})`,
          ...TYPES[dataType],
          ...(length !== undefined && { length }),
          nullable: row.is_nullable === 'YES',
          primaryKey: primaryColumns.length === 1 && primaryColumns[0] === column,
          hasDefault:
            row.column_default !== null ||
            row.is_identity === 'YES' ||
            row.is_generated === 'ALWAYS',
          collation: (row.collation_name as string | null) ?? null,
        };
      }),
      indexes: indexRows
        .filter((row) => row.is_primary !== true)
        .map((row) => ({
          name: String(row.index_name),
          columns: names(row.columns),
          unique: row.is_unique === true,
          ...(row.predicate !== null && { where: String(row.predicate) }),
        })),
      foreignKeys: (foreignKeys.get(name) ?? []).map((row) => ({
        columns: names(row.columns),
        table: String(row.parent),
        targetColumns: names(row.target_columns),
        onDelete: ON_DELETE[String(row.on_delete)] ?? String(row.on_delete),
      })),
    });
  }
  return live;
};
