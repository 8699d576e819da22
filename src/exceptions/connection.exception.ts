import { DatabaseException, type DatabaseExceptionOptions } from './database.exception';

/**
 * The database could not be reached, the connection broke, or a statement timed out.
 * Retryable by default.
 */
export class ConnectionException extends DatabaseException {
  constructor(message: string, options: DatabaseExceptionOptions = {}, code = 'CONNECTION_ERROR') {
    super(message, code, { retryable: true, ...options });
  }
}

/**
 * The circuit breaker is open after repeated connection failures: the call failed fast without
 * touching the database.
 */
export class CircuitOpenException extends ConnectionException {
  constructor(message: string, options: DatabaseExceptionOptions = {}) {
    super(message, { retryable: false, ...options }, 'CIRCUIT_OPEN');
  }
}
