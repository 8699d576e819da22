import { DatabaseException, type DatabaseExceptionOptions } from './database.exception';

/**
 * The record does not exist, or is soft-deleted where a live record is required.
 */
export class RecordNotFoundException extends DatabaseException {
  constructor(
    readonly table: string,
    readonly id: string,
    options: DatabaseExceptionOptions = {},
  ) {
    super(`No record in ${table} with id ${id}`, 'RECORD_NOT_FOUND', {
      ...options,
      details: { table, id, ...options.details },
    });
  }
}
