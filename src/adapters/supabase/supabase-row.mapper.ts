import type { WriteValues } from '../../query/normalize-write';
import { REDACTED } from '../query-observer';
import { concealSensitive } from '../../schema/conceal-sensitive';
import type { ColumnDefinition, IBaseEntity, TableDefinition } from '../../schema/table-definition';

/** A row as PostgREST returns it: JSON keyed by column name. */
export type PostgrestRow = Record<string, unknown>;

// PostgREST prints timestamptz as `2024-01-01T00:00:00.123+00:00` (offset of the server's zone,
// trailing zeros dropped); every provider returns `toISOString()` form.
function decodeTimestamp(value: unknown): unknown {
  return typeof value === 'string' ? new Date(value).toISOString() : value;
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
      c.type === 'timestamp' ? decodeTimestamp : undefined,
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
      entity[column.property] = value === null || decode === undefined ? value : decode(value);
    }
    return concealSensitive(this.table, entity as T);
  }

  /** The JSON body of a write: column name → normalized value. */
  toBody(values: WriteValues): PostgrestRow {
    const body: PostgrestRow = {};
    for (const [column, value] of values) body[column.column] = value;
    return body;
  }

  /** A write's values in column order, sensitive ones redacted, for query events. */
  redactedParams(values: WriteValues): unknown[] {
    const params: unknown[] = [];
    for (const [column, value] of values) params.push(column.sensitive ? REDACTED : value);
    return params;
  }
}
