import { DatabaseException, type DatabaseExceptionOptions } from './database.exception';

/**
 * A write would duplicate a value that must be unique (an email, a Stripe id).
 */
export class UniqueConstraintException extends DatabaseException {
  constructor(
    readonly table: string,
    /** The entity property whose value is taken, when it could be determined. */
    readonly field: string | undefined,
    options: DatabaseExceptionOptions = {},
  ) {
    super(
      field ? `${table}.${field} must be unique: the value is taken` : `${table}: duplicate value`,
      'UNIQUE_VIOLATION',
      { ...options, details: { table, field, ...options.details } },
    );
  }
}
