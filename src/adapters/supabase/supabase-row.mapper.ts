import type { WriteValues } from '../../query/normalize-write';
import { parseStoredTimestamp, unreadableTimestamp } from '../../query/timestamp';
import { setEntityProperty } from '../../schema/conceal-sensitive';
import type { ColumnDefinition, IBaseEntity, TableDefinition } from '../../schema/table-definition';

/** A row as PostgREST returns it: JSON keyed by column name. */
export type PostgrestRow = Record<string, unknown>;

/**
 * PostgREST prints timestamptz as PostgreSQL's ISO output in the server's zone:
 * `2024-01-01T00:00:00.123+00:00`, trailing zeros dropped, microseconds where the column keeps
 * them, `infinity` / `-infinity`. Every provider returns `toISOString()` form: the instant kept,
 * sub-millisecond digits cut (on a column that may keep them, comparisons treat the value as its
 * whole millisecond, see `comparesAsBuckets`); what has no such form is a QueryException naming
 * the column.
 */
function timestampDecoder(table: string, column: ColumnDefinition) {
  return (value: unknown): unknown => {
    const ms = typeof value === 'string' ? parseStoredTimestamp(value) : undefined;
    if (ms === undefined) throw unreadableTimestamp(table, column, value);
    return new Date(ms).toISOString();
  };
}

/**
 * Converts between one table's entities and PostgREST's JSON rows. Built once per table: the
 * column list and decoders are resolved here, not per row.
 */
export class SupabaseRowMapper<T extends IBaseEntity> {
  private readonly columns: readonly ColumnDefinition[];
  private readonly decoders: readonly (((value: unknown) => unknown) | undefined)[];

  constructor(readonly table: TableDefinition<T>) {
    this.columns = table.columns;
    // JSON, booleans, integers and text arrive as the JSON types the entity holds already.
    this.decoders = table.columns.map((c) =>
      c.type === 'timestamp' ? timestampDecoder(table.name, c) : undefined,
    );
  }

  /** An entity (an instance of `table.entity` when set) from a PostgREST row. */
  toEntity(row: PostgrestRow): T {
    const Entity = this.table.entity;
    const entity = (Entity ? new Entity() : {}) as Record<string, unknown>;
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i];
      const value = row[column.column];
      if (value === undefined) continue;
      const decode = this.decoders[i];
      setEntityProperty(
        entity,
        column,
        value === null || decode === undefined ? value : decode(value),
      );
    }
    return entity as T;
  }

  /** One column's value from PostgREST's JSON (an aggregate's group or extreme), as entities hold it. */
  decode(column: ColumnDefinition, value: unknown): unknown {
    const decode = this.decoders[this.columns.indexOf(column)];
    return value === null || value === undefined || decode === undefined ? value : decode(value);
  }

  /** The JSON body of a write: column name → normalized value. */
  toBody(values: WriteValues): PostgrestRow {
    const body: PostgrestRow = {};
    for (const [column, value] of values) body[column.column] = value;
    return body;
  }
}

const mappers = new WeakMap<TableDefinition<any>, SupabaseRowMapper<any>>();

/** The row mapper of a table, built on first use and kept with the (immutable) table. */
export function rowMapper<T extends IBaseEntity>(table: TableDefinition<T>): SupabaseRowMapper<T> {
  let mapper = mappers.get(table);
  if (!mapper) mappers.set(table, (mapper = new SupabaseRowMapper(table)));
  return mapper as SupabaseRowMapper<T>;
}
