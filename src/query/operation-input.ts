import { TransactionException, ValidationException } from '../exceptions';
import { MANAGED_PROPERTIES } from '../schema/managed-columns';
import type { ColumnDefinition, TableDefinition } from '../schema/table-definition';
import { normalizeScalar } from './normalize-value';
import { normalizeCreate, nowTimestamp, type WriteValues } from './normalize-write';

/** Validates an id argument the same way on every provider: a UUID, returned lower-case. */
export function checkId(table: TableDefinition<any>, id: unknown): string {
  return normalizeScalar(table.primaryKey, id, 'id') as string;
}

/**
 * Validates the ids of `findByIds` the same way on every provider: an array of at most
 * `maxInListSize` UUIDs, holes of a sparse array refused like undefined. Returns them lower-case,
 * without duplicates.
 */
export function checkIds(
  table: TableDefinition<any>,
  ids: unknown,
  maxInListSize: number,
): string[] {
  if (!Array.isArray(ids)) throw new ValidationException('findByIds takes an array of ids', 'ids');
  if (ids.length > maxInListSize) {
    throw new ValidationException(`findByIds takes at most ${maxInListSize} ids`, 'ids');
  }
  // Array.from visits holes (as undefined), where map would skip them.
  return [...new Set(Array.from(ids, (id: unknown) => checkId(table, id)))];
}

/**
 * Checks upsert options the same way on every provider and returns the conflict column:
 * ValidationException on `conflictField` unless it names a unique property, on `onConflict`
 * unless it is `update` or `ignore`.
 */
export function checkUpsertOptions(
  table: TableDefinition<any>,
  options: { conflictField?: unknown; onConflict?: unknown } | undefined,
): ColumnDefinition {
  const field = options?.conflictField;
  const column = typeof field === 'string' ? table.column(field) : undefined;
  if (!column || !column.unique) {
    throw new ValidationException(
      `upsert: conflictField must be a unique property of ${table.name}`,
      'conflictField',
    );
  }
  if (options?.onConflict !== 'update' && options?.onConflict !== 'ignore') {
    throw new ValidationException('upsert: onConflict must be "update" or "ignore"', 'onConflict');
  }
  return column;
}

/**
 * The columns an `update` upsert overwrites on an existing live row: the properties the caller
 * gave (not the conflict key) and updatedAt. What the caller left out keeps its stored value, on
 * every provider.
 */
export function upsertUpdateColumns(
  table: TableDefinition<any>,
  data: object,
  conflict: ColumnDefinition,
): ColumnDefinition[] {
  const given = table.columns.filter(
    (c) =>
      c !== conflict &&
      !MANAGED_PROPERTIES.has(c.property) &&
      (data as Record<string, unknown>)[c.property] !== undefined,
  );
  return [...given, table.column('updatedAt')!];
}

/** ValidationException unless the table has soft delete. */
export function requireSoftDelete(table: TableDefinition<any>): void {
  if (!table.softDelete)
    throw new ValidationException(`${table.name} has no soft delete`, 'deletedAt');
}

/** Runs a per-row normalization, prefixing the fields of its ValidationException with the row index. */
export function withRowIndex<R = WriteValues>(index: number, normalize: () => R): R {
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

/**
 * Checks and normalizes the rows of `createMany` the same way on every provider, all of them
 * before anything is sent: an array (else ValidationException on `data`), each row normalized as
 * by `create` with one shared `now`, a bad row's fields prefixed with its index. `keep` turns each
 * row's values into what the caller holds on to, so a large batch need not keep every row's map.
 */
export function normalizeCreateMany<R = WriteValues>(
  table: TableDefinition<any>,
  data: unknown,
  keep: (values: WriteValues) => R = (values) => values as R,
): R[] {
  if (!Array.isArray(data)) throw new ValidationException('createMany takes an array', 'data');
  const now = nowTimestamp();
  // Array.from visits the holes of a sparse array (as undefined, refused as a bad row), where
  // map skips them and would leave holes for the insert to trip over.
  return Array.from(data, (item, index) =>
    keep(withRowIndex(index, () => normalizeCreate(table, item, now))),
  );
}

/** ValidationException unless `work`, what `transaction()` runs, is a function. */
export function checkWork(work: unknown): void {
  if (typeof work !== 'function') {
    throw new ValidationException('transaction takes a function', 'work');
  }
}

/** The integer column an increment targets, checked with its step (an integer it can hold). */
export function incrementColumn(
  table: TableDefinition<any>,
  field: string,
  by: unknown,
): ColumnDefinition {
  if (typeof field !== 'string') {
    throw new ValidationException('increment: field must be a property name', 'field');
  }
  const column = table.column(field);
  if (!column || column.type !== 'integer' || MANAGED_PROPERTIES.has(field)) {
    throw new ValidationException(`${table.name}.${field} is not an integer property`, field);
  }
  // A step the column could not hold would fail on Postgres (its parameter is an `integer`).
  normalizeScalar(column, by, 'by');
  return column;
}

/**
 * The values the counter may hold before an increment by `by` for the result to stay within the
 * column's range: the statement changes the row only when the counter is between them. Clamped
 * to the range itself, so neither bound overflows the column's type (PostgreSQL would fail on
 * `n + by` past `integer`); an empty interval (low > high) matches no row.
 */
export function incrementBounds(counter: ColumnDefinition, by: number): [number, number] {
  const { min, max } = counter.range ?? {
    min: Number.MIN_SAFE_INTEGER,
    max: Number.MAX_SAFE_INTEGER,
  };
  return [Math.max(min, min - by), Math.min(max, max - by)];
}

/** The error for an increment whose result would leave the counter's range. */
export function incrementOutOfRange(table: TableDefinition<any>, counter: ColumnDefinition) {
  const { min, max } = counter.range ?? {
    min: Number.MIN_SAFE_INTEGER,
    max: Number.MAX_SAFE_INTEGER,
  };
  return new ValidationException(
    `${table.name}.${counter.property}: the increment would take it outside ${min}..${max}`,
    counter.property,
  );
}

/**
 * How often an upsert inserts before it gives up: its insert and its read of the conflicting row
 * are two statements (two requests on PostgREST), and the row may be deleted in between.
 */
export const UPSERT_ATTEMPTS = 3;

/** The error of an upsert whose conflicting row vanished every time: retryable, as a race is. */
export function upsertRaceLost(table: TableDefinition<any>): TransactionException {
  return new TransactionException(
    `upsert on ${table.name}: the conflicting row was deleted ${UPSERT_ATTEMPTS} times while it ran`,
    { retryable: true },
  );
}
