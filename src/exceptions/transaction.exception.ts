import { DatabaseException, type DatabaseExceptionOptions } from './database.exception';

/**
 * A transaction could not begin, commit or roll back, or was used wrongly (commit without begin).
 * Deadlocks and serialization failures are retryable.
 */
export class TransactionException extends DatabaseException {
  constructor(message: string, options: DatabaseExceptionOptions = {}, code = 'TRANSACTION_ERROR') {
    super(message, code, options);
  }
}

/**
 * The provider cannot run multi-statement transactions (Supabase over PostgREST).
 */
export class TransactionNotSupportedException extends TransactionException {
  constructor(message: string, options: DatabaseExceptionOptions = {}) {
    super(message, options, 'TRANSACTION_NOT_SUPPORTED');
  }
}
