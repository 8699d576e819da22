import { DatabaseException, type DatabaseExceptionOptions } from './database.exception';

/**
 * A statement failed for a reason that is neither bad input nor a lost connection.
 */
export class QueryException extends DatabaseException {
  constructor(message: string, options: DatabaseExceptionOptions = {}) {
    super(message, 'QUERY_ERROR', options);
  }
}
