import { DatabaseException, type DatabaseExceptionOptions } from './database.exception';

/**
 * A write references a row that does not exist, or a delete would orphan rows that reference it.
 */
export class ForeignKeyException extends DatabaseException {
  constructor(
    readonly table: string,
    options: DatabaseExceptionOptions = {},
  ) {
    super(`${table}: a referenced record is missing or still referenced`, 'FOREIGN_KEY_VIOLATION', {
      ...options,
      details: { table, ...options.details },
    });
  }
}
