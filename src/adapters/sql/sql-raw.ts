import { ValidationException } from '../../exceptions';
import { setEntityProperty } from '../../schema/conceal-sensitive';
import type { ColumnDefinition, TableDefinition } from '../../schema/table-definition';
import { REDACTED } from '../query-observer';
import type { SqlQuery } from '../raw-sql';
import type { SqlDialect } from './sql-dialect';
import type { SqlEngine } from './sql-engine';

/**
 * Raw SQL on every SQL engine: the template's values bound at the dialect's placeholders (never
 * spliced), the statement run by the engine like any other (the calling flow's transaction, its
 * trace, the driver's error mapping), and the rows returned as objects keyed by column name, or
 * as a table's entities.
 */
export async function runSql<Row>(
  engine: SqlEngine<unknown>,
  query: SqlQuery,
  table: TableDefinition<any> | undefined,
): Promise<Row[]> {
  const { dialect } = engine;
  const values = query.values.map((value, i) => rawParam(value, i, dialect));
  const result = await engine.run('sql', table, {
    text: query.text((i) => dialect.placeholder(i)),
    values,
    raw: true,
    // Whatever the caller bound may be a secret: a trace shows none of it.
    redacted: () => values.map(() => REDACTED),
  });
  const columns = result.columns ?? [];
  const toRow = table ? entityMapper(table, dialect, columns) : objectMapper(columns);
  return result.rows.map(toRow) as Row[];
}

// `encode` reads only the type: a boolean is bound as the dialect binds a boolean column.
const BOOLEAN = { type: 'boolean' } as ColumnDefinition;

/**
 * A template value as the driver binds it: a string, a finite number, a bigint, a boolean, a valid
 * Date (as the library's ISO timestamp), bytes, or null; anything else is a ValidationException
 * naming its position, so no driver ever guesses how to turn an object into SQL.
 */
function rawParam(value: unknown, index: number, dialect: SqlDialect): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'boolean') return dialect.encode(BOOLEAN, value);
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  if (value instanceof Uint8Array) return value;
  throw new ValidationException(
    `sql: value ${index + 1} must be a string, a finite number, a bigint, a boolean, a valid Date, bytes or null`,
    `sql.values[${index}]`,
  );
}

function objectMapper(columns: readonly string[]) {
  return (row: readonly unknown[]): Record<string, unknown> => {
    const object: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) object[columns[i]] = row[i];
    return object;
  };
}

/** Maps rows to `table`'s entities by column name; columns not of the table keep their name. */
function entityMapper(table: TableDefinition<any>, dialect: SqlDialect, names: readonly string[]) {
  const columns = names.map((name) => table.columns.find((c) => c.column === name));
  const decoders = columns.map((c) => c && dialect.decoder(c, table));
  const Entity = table.entity;
  return (row: readonly unknown[]): Record<string, unknown> => {
    const entity = (Entity ? new Entity() : {}) as Record<string, unknown>;
    for (let i = 0; i < names.length; i++) {
      const column = columns[i];
      if (!column) {
        entity[names[i]] = row[i];
        continue;
      }
      const decode = decoders[i];
      setEntityProperty(entity, column, decode ? decode(row[i]) : row[i]);
    }
    return entity;
  };
}
