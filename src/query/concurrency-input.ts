import {
  OptimisticLockException,
  RecordNotFoundException,
  TransactionException,
  ValidationException,
  type DatabaseException,
} from '../exceptions';
import { MANAGED_PROPERTIES } from '../schema/managed-columns';
import type { ColumnDefinition, TableDefinition } from '../schema/table-definition';
import { normalizeScalar } from './normalize-value';
import type { WriteValues } from './normalize-write';

/**
 * The checks and verdicts of concurrency control (optimistic locking, ordered upserts), the same
 * on every provider, so the SQL and Supabase adapters only say how to ask their database.
 */

/** The `version` column of a versioned table; undefined for other tables. */
export function versionColumn(table: TableDefinition<any>): ColumnDefinition | undefined {
  return table.versioned ? table.column('version') : undefined;
}

/**
 * The `expectedVersion` of update options, checked: undefined when not given; a
 * ValidationException unless it is a positive integer and the table is versioned.
 */
export function checkExpectedVersion(
  table: TableDefinition<any>,
  options: { expectedVersion?: unknown } | undefined,
): number | undefined {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new ValidationException('update: options must be an object', 'options');
  }
  const expected = options?.expectedVersion;
  if (expected === undefined) return undefined;
  const column = versionColumn(table);
  if (!column) {
    throw new ValidationException(
      `${table.name} is not versioned: expectedVersion needs versioned: true`,
      'expectedVersion',
    );
  }
  const version = normalizeScalar(column, expected, 'expectedVersion') as number;
  if (version < 1) {
    throw new ValidationException('expectedVersion must be at least 1', 'expectedVersion');
  }
  return version;
}

/**
 * How often an update with `expectedVersion` is sent again when the row it missed turns out to be
 * at the expected version after all (a writer outside the library changed it back): a bound, as
 * each attempt is a race lost to another writer.
 */
export const VERSION_ATTEMPTS = 3;

/**
 * The exception for an update with `expectedVersion` that changed no row, from the row's version
 * as read after the miss: RecordNotFoundException when there is no live row (missing, soft-deleted,
 * or deleted by a concurrent writer after the version mismatched), OptimisticLockException when it
 * is at another version. Undefined when it is at the expected version: the miss was a race with a
 * writer that does not bump versions, and the update may be sent again.
 */
export function versionMissVerdict(
  table: TableDefinition<any>,
  id: string,
  expected: number,
  current: number | undefined,
): DatabaseException | undefined {
  if (current === undefined) return new RecordNotFoundException(table.name, id);
  if (current !== expected) return new OptimisticLockException(table.name, id, expected, current);
  return undefined;
}

/** The error of an update whose version race was lost every time: retryable, as a race is. */
export function versionRaceLost(table: TableDefinition<any>, id: string): TransactionException {
  return new TransactionException(
    `update of ${table.name} ${id}: the row changed under it ${VERSION_ATTEMPTS} times`,
    { retryable: true },
  );
}

/**
 * The column an ordered upsert compares (`orderedBy`), checked against the options and the
 * normalized values: undefined when not given; a ValidationException unless `onConflict` is
 * `update`, it names an integer or millisecond-exact timestamp property that is neither managed
 * nor the conflict field, and the data gives it a value.
 */
export function orderedColumn(
  table: TableDefinition<any>,
  options: { orderedBy?: unknown; onConflict?: unknown },
  conflict: ColumnDefinition,
  values: WriteValues,
): ColumnDefinition | undefined {
  const field = options.orderedBy;
  if (field === undefined) return undefined;
  if (options.onConflict !== 'update') {
    throw new ValidationException('upsert: orderedBy needs onConflict "update"', 'orderedBy');
  }
  const column = typeof field === 'string' ? table.column(field) : undefined;
  const comparable =
    column !== undefined &&
    (column.type === 'integer' || (column.type === 'timestamp' && column.precision === 'ms'));
  if (!column || !comparable || MANAGED_PROPERTIES.has(column.property) || column === conflict) {
    throw new ValidationException(
      `upsert: orderedBy must be an integer or millisecond-exact timestamp property of ${table.name}`,
      'orderedBy',
    );
  }
  const value = values.get(column);
  if (value === null || value === undefined) {
    throw new ValidationException(
      `upsert: ${column.property} orders the upsert and must be given`,
      column.property,
    );
  }
  return column;
}
