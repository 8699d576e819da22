import { ValidationException } from '../exceptions';
import type { ColumnDefinition, TableDefinition } from '../schema/table-definition';
import type { OrderKey } from './query-plan';

/**
 * Projection: `select: ['id', 'email']` read as the columns a plan reads. Names come only from
 * the table definition; a sensitive column cannot be selected (it is concealed from reads unless
 * its table makes it queryable).
 */

/** What a plan reads when the caller selected properties. */
export interface Projection {
  /** The columns to read, in table order: the selected ones and any the cursor needs. */
  columns: readonly ColumnDefinition[];
  /** Properties read only to build a cursor, removed from the rows before they are returned. */
  cursorOnly: readonly string[];
}

/**
 * The projection of `select` on `table`, or undefined when the caller selected nothing (every
 * column). `cursorKeys`: the order keys of a cursor page, whose values the next cursor is made
 * of; read even when not selected, and dropped from the rows.
 */
export function planSelect(
  table: TableDefinition<any>,
  select: unknown,
  cursorKeys: readonly OrderKey[],
): Projection | undefined {
  if (select === undefined) return undefined;
  if (!Array.isArray(select) || select.length === 0) {
    throw new ValidationException('select must be a non-empty array of property names', 'select');
  }
  const chosen = new Set<ColumnDefinition>();
  for (const [index, field] of (select as unknown[]).entries()) {
    if (typeof field !== 'string') {
      throw new ValidationException(`select[${index}] must be a property name`, `select[${index}]`);
    }
    const column = table.column(field);
    if (!column) {
      throw new ValidationException(`Unknown select field "${field}" for ${table.name}`, field);
    }
    if (column.sensitive && !column.queryable) {
      throw new ValidationException(`${field} is sensitive and cannot be selected`, field);
    }
    chosen.add(column);
  }
  const extra = cursorKeys.map((k) => k.column).filter((c) => !chosen.has(c));
  const read = new Set([...chosen, ...extra]);
  return {
    columns: table.columns.filter((c) => read.has(c)),
    cursorOnly: extra.map((c) => c.property),
  };
}
