import { DatabaseException, type DatabaseExceptionOptions } from './database.exception';

/**
 * The database refused the operation: missing privileges or a row-level security policy.
 */
export class PermissionException extends DatabaseException {
  constructor(message: string, options: DatabaseExceptionOptions = {}) {
    super(message, 'PERMISSION_DENIED', options);
  }
}

/**
 * The credentials were rejected: a bad, expired or missing JWT or API key.
 */
export class AuthenticationException extends DatabaseException {
  constructor(message: string, options: DatabaseExceptionOptions = {}) {
    super(message, 'AUTHENTICATION_FAILED', options);
  }
}
