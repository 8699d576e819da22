import { ValidationException } from '../exceptions';
import type { ColumnDefinition, TableDefinition } from '../schema/table-definition';
import { normalizeScalar } from './normalize-value';
import type { WriteValues } from './normalize-write';

/** Validates an id argument the same way on every provider: a UUID, returned lower-case. */
export function checkId(table: TableDefinition<any>, id: unknown): string {
  return normalizeScalar(table.primaryKey, id, 'id') as string;
}

/** The unique column an upsert targets; ValidationException when the property is not unique. */
export function uniqueColumn(table: TableDefinition<any>, property: string): ColumnDefinition {
  const column = table.column(property);
  if (!column || !column.unique) {
    throw new ValidationException(`${table.name}.${property} is not a unique property`, property);
  }
  return column;
}

/** Whether an upsert that hits an existing row overwrites this column with the new value. */
export function isReplaceable(column: ColumnDefinition, conflict: ColumnDefinition): boolean {
  return column !== conflict && !['id', 'createdAt', 'deletedAt'].includes(column.property);
}

/** ValidationException unless the table has soft delete. */
export function requireSoftDelete(table: TableDefinition<any>): void {
  if (!table.softDelete)
    throw new ValidationException(`${table.name} has no soft delete`, 'deletedAt');
}

/** Runs a per-row normalization, prefixing the fields of its ValidationException with the row index. */
export function withRowIndex(index: number, normalize: () => WriteValues): WriteValues {
  try {
    return normalize();
  } catch (error) {
    if (!(error instanceof ValidationException)) throw error;
    const violations = error.violations.map((v) => ({ ...v, field: `${index}.${v.field}` }));
    throw new ValidationException(`Row ${index}: ${error.message}`, violations[0]?.field, {
      violations,
    });
  }
}
