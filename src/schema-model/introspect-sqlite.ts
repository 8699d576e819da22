import type { ColumnType } from '../schema/column-options';
import type {
  LiveColumn,
  LiveForeignKey,
  LiveIndex,
  LiveTable,
  SchemaIntrospector,
  SchemaQuery,
} from './live-schema';

/**
 * The storage class SQLite gives a declared type (its type affinity rules): STRICT tables declare
 * the class itself, other tables any words, `VARCHAR(32)` being TEXT.
 */
export function sqliteAffinity(declared: string): 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC' {
  const type = declared.toUpperCase();
  if (type.includes('INT')) return 'INTEGER';
  if (/CHAR|CLOB|TEXT/.test(type)) return 'TEXT';
  if (type === '' || type.includes('BLOB')) return 'BLOB';
  if (/REAL|FLOA|DOUB/.test(type)) return 'REAL';
  return 'NUMERIC';
}

/** The definition type of a storage class; SQLite keeps uuid, string, timestamp and json as TEXT. */
const TYPE_OF_AFFINITY: Partial<Record<ReturnType<typeof sqliteAffinity>, ColumnType>> = {
  INTEGER: 'integer',
  TEXT: 'text',
};

/** The text after the last WHERE of a CREATE INDEX statement. */
function indexPredicate(sql: unknown): string | undefined {
  if (typeof sql !== 'string') return undefined;
  const match = /\bWHERE\b([\s\S]*)$/i.exec(sql);
  return match ? match[1].trim().replace(/;$/, '').trim() : undefined;
}

async function readColumns(query: SchemaQuery, table: string): Promise<LiveColumn[]> {
  const rows = await query(
    'SELECT name, type, "notnull" AS not_null, dflt_value, pk FROM pragma_table_info(?) ORDER BY cid',
    [table],
  );
  const keyColumns = rows.filter((row) => Number(row.pk) > 0).length;
  return rows.map((row) => {
    const sqlType = String(row.type ?? '');
    const type = TYPE_OF_AFFINITY[sqliteAffinity(sqlType)];
    return {
      name: String(row.name),
      sqlType,
      ...(type && { type }),
      nullable: Number(row.not_null) === 0,
      primaryKey: Number(row.pk) > 0 && keyColumns === 1,
      hasDefault: row.dflt_value !== null,
    };
  });
}

async function readIndexes(query: SchemaQuery, table: string): Promise<LiveIndex[]> {
  const list = await query(
    'SELECT name, "unique" AS is_unique, origin, partial FROM pragma_index_list(?)',
    [table],
  );
  const indexes: LiveIndex[] = [];
  for (const row of list) {
    if (row.origin === 'pk') continue;
    const name = String(row.name);
    const keys = await query('SELECT name FROM pragma_index_info(?) ORDER BY seqno', [name]);
    let where: string | undefined;
    if (Number(row.partial) === 1) {
      const [created] = await query(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?",
        [name],
      );
      where = indexPredicate(created?.sql);
    }
    indexes.push({
      name,
      columns: keys.map((key) => (key.name === null ? '(expression)' : String(key.name))),
      unique: Number(row.is_unique) === 1,
      ...(where !== undefined && { where }),
    });
  }
  return indexes;
}

async function readForeignKeys(query: SchemaQuery, table: string): Promise<LiveForeignKey[]> {
  const rows = await query(
    'SELECT id, "table" AS parent, "from" AS child, "to" AS target, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq',
    [table],
  );
  const byId = new Map<
    unknown,
    { columns: string[]; table: string; target: string[]; on: string }
  >();
  for (const row of rows) {
    const key = byId.get(row.id) ?? {
      columns: [],
      table: String(row.parent),
      target: [],
      on: String(row.on_delete).toLowerCase(),
    };
    key.columns.push(String(row.child));
    // No target column: the key references the parent's primary key, `id` in the library.
    key.target.push(row.target === null ? 'id' : String(row.target));
    byId.set(row.id, key);
  }
  return [...byId.values()].map((key) => ({
    columns: key.columns,
    table: key.table,
    targetColumns: key.target,
    onDelete: key.on,
  }));
}

/**
 * Reads tables of a SQLite database through the table-valued pragmas (`pragma_table_info`,
 * `pragma_index_list`/`index_info`, `pragma_foreign_key_list`, each given the name as a bound
 * parameter) and the CREATE INDEX text in `sqlite_master` for partial index predicates.
 */
export const introspectSqlite: SchemaIntrospector = async (query, tables) => {
  const present = new Set(
    (await query("SELECT name FROM sqlite_master WHERE type = 'table'")).map((row) => row.name),
  );
  const live: LiveTable[] = [];
  for (const name of tables) {
    if (!present.has(name)) continue;
    live.push({
      name,
      columns: await readColumns(query, name),
      indexes: await readIndexes(query, name),
      foreignKeys: await readForeignKeys(query, name),
    });
  }
  return live;
};
