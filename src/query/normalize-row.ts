import { randomUUID } from 'node:crypto';
import { ValidationException, type FieldViolation } from '../exceptions';
import { MANAGED_PROPERTIES as MANAGED } from '../schema/managed-columns';
import type { ColumnDefinition, TableDefinition } from '../schema/table-definition';
import { normalizeWriteValue } from './normalize-value';
import { nowTimestamp, throwIfAny } from './normalize-write';
import { withRowIndex } from './operation-input';

/**
 * A row to insert as an array in `table.columns` order, values normalized but not yet
 * driver-encoded: what `normalizeCreate`'s map holds, without a map per row. The SQL engines
 * insert in column order, so they take this form; its checks, violations and their order are
 * `normalizeCreate`'s (test/unit/normalize-row.spec.ts pins the two against each other).
 */
export type CreateRow = unknown[];

/** Where each column of a table sits in a {@link CreateRow}, worked out once per table. */
interface RowLayout {
  readonly width: number;
  readonly position: ReadonlyMap<string, number>;
  /** The input columns that are not given get null (nullable) or "is required", in this order. */
  readonly inputs: readonly { column: ColumnDefinition; index: number }[];
  readonly id: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly deletedAt: number;
  readonly version: number;
}

const layouts = new WeakMap<TableDefinition<any>, RowLayout>();

function layoutOf(table: TableDefinition<any>): RowLayout {
  let layout = layouts.get(table);
  if (!layout) {
    const { columns } = table;
    const position = new Map(columns.map((c, i) => [c.property, i]));
    const at = (property: string) => position.get(property) ?? -1;
    layout = {
      width: columns.length,
      position,
      inputs: columns
        .map((column, index) => ({ column, index }))
        .filter(({ column }) => !MANAGED.has(column.property)),
      id: columns.indexOf(table.primaryKey),
      createdAt: at('createdAt'),
      updatedAt: at('updatedAt'),
      deletedAt: at('deletedAt'),
      version: at('version'),
    };
    layouts.set(table, layout);
  }
  return layout;
}

/**
 * As `normalizeCreate`, into a {@link CreateRow}: the input checked against the table (every bad
 * field in one ValidationException), nullable columns not given set to null, and the managed
 * columns filled in (a UUID v4 id, createdAt = updatedAt = `now`, deletedAt null, version 1).
 */
export function normalizeCreateRow(
  table: TableDefinition<any>,
  data: object,
  now: string,
): CreateRow {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ValidationException(`${table.name}: the input must be an object`, undefined);
  }
  const layout = layoutOf(table);
  // undefined marks "not given": a normalized value is never undefined.
  const row: CreateRow = new Array<unknown>(layout.width).fill(undefined);
  let violations: FieldViolation[] | undefined;
  for (const property of Object.keys(data)) {
    const value = (data as Record<string, unknown>)[property];
    if (value === undefined) continue;
    const index = layout.position.get(property);
    if (index === undefined) {
      (violations ??= []).push({
        field: property,
        messages: [`${property} is not a property of ${table.name}`],
      });
    } else if (MANAGED.has(property)) {
      (violations ??= []).push({
        field: property,
        messages: [`${property} is set by the library`],
      });
    } else {
      try {
        row[index] = normalizeWriteValue(table.columns[index], value);
      } catch (error) {
        if (!(error instanceof ValidationException)) throw error;
        (violations ??= []).push({ field: property, messages: [error.message] });
      }
    }
  }
  for (const { column, index } of layout.inputs) {
    if (row[index] !== undefined) continue;
    // A given but rejected value is already reported; "is required" would list it twice.
    if (violations?.some((v) => v.field === column.property)) continue;
    if (column.nullable) row[index] = null;
    else
      (violations ??= []).push({
        field: column.property,
        messages: [`${column.property} is required`],
      });
  }
  if (violations) throwIfAny(table, violations);
  row[layout.id] = randomUUID();
  row[layout.createdAt] = now;
  row[layout.updatedAt] = now;
  if (table.softDelete) row[layout.deletedAt] = null;
  if (table.versioned) row[layout.version] = 1;
  return row;
}

/**
 * As `normalizeCreateMany`, into {@link CreateRow}s: an array (else ValidationException on
 * `data`), every row checked before anything is sent, with one shared `now`, a bad row's fields
 * prefixed with its index. `keep` turns each row into what the caller holds on to.
 */
export function normalizeCreateRows<R>(
  table: TableDefinition<any>,
  data: unknown,
  keep: (row: CreateRow) => R,
): R[] {
  if (!Array.isArray(data)) throw new ValidationException('createMany takes an array', 'data');
  const now = nowTimestamp();
  // Array.from visits the holes of a sparse array (as undefined, refused as a bad row), where
  // map skips them and would leave holes for the insert to trip over.
  return Array.from(data, (item, index) =>
    keep(withRowIndex(index, () => normalizeCreateRow(table, item, now))),
  );
}
