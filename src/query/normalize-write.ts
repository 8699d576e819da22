import { randomUUID } from 'node:crypto';
import { ValidationException, type FieldViolation } from '../exceptions';
import { MANAGED_PROPERTIES as MANAGED } from '../schema/managed-columns';
import type { ColumnDefinition, TableDefinition } from '../schema/table-definition';
import { normalizeWriteValue } from './normalize-value';

/** A row to write, keyed by column definition, values normalized but not yet driver-encoded. */
export type WriteValues = Map<ColumnDefinition, unknown>;

function collect(
  table: TableDefinition<any>,
  data: object,
  requireAll: boolean,
): { values: WriteValues; violations: FieldViolation[] } {
  const values: WriteValues = new Map();
  const violations: FieldViolation[] = [];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ValidationException(`${table.name}: the input must be an object`, undefined);
  }
  for (const property of Object.keys(data)) {
    const value = (data as Record<string, unknown>)[property];
    if (value === undefined) continue;
    const column = table.column(property);
    if (!column) {
      violations.push({
        field: property,
        messages: [`${property} is not a property of ${table.name}`],
      });
    } else if (MANAGED.has(property)) {
      violations.push({ field: property, messages: [`${property} is set by the library`] });
    } else {
      try {
        values.set(column, normalizeWriteValue(column, value));
      } catch (error) {
        if (!(error instanceof ValidationException)) throw error;
        violations.push({ field: property, messages: [error.message] });
      }
    }
  }
  if (requireAll) {
    for (const column of table.columns) {
      if (MANAGED.has(column.property) || values.has(column)) continue;
      // A given but rejected value is already reported; "is required" would list it twice.
      if (violations.some((v) => v.field === column.property)) continue;
      if (column.nullable) values.set(column, null);
      else
        violations.push({ field: column.property, messages: [`${column.property} is required`] });
    }
  }
  return { values, violations };
}

/** Throws one ValidationException naming every bad field, if there is any. */
export function throwIfAny(table: TableDefinition<any>, violations: FieldViolation[]): void {
  if (violations.length > 0) {
    const fields = violations.map((v) => v.field).join(', ');
    throw new ValidationException(`Invalid ${table.name} input: ${fields}`, violations[0].field, {
      violations,
    });
  }
}

/**
 * Validates a create input against the table and adds the managed columns: a UUID v4 id,
 * createdAt = updatedAt = `now`, and version 1 on a versioned table. Every bad field is reported
 * in one ValidationException.
 */
export function normalizeCreate(
  table: TableDefinition<any>,
  data: object,
  now: string,
): WriteValues {
  const { values, violations } = collect(table, data, true);
  throwIfAny(table, violations);
  values.set(table.primaryKey, randomUUID());
  values.set(table.column('createdAt')!, now);
  values.set(table.column('updatedAt')!, now);
  if (table.softDelete) values.set(table.column('deletedAt')!, null);
  if (table.versioned) values.set(table.column('version')!, 1);
  return values;
}

/** Validates an update input; updatedAt is set to `now`. */
export function normalizeUpdate(
  table: TableDefinition<any>,
  data: object,
  now: string,
): WriteValues {
  const { values, violations } = collect(table, data, false);
  throwIfAny(table, violations);
  values.set(table.column('updatedAt')!, now);
  return values;
}

/** The current instant in the library's timestamp format. */
export function nowTimestamp(): string {
  return new Date().toISOString();
}
