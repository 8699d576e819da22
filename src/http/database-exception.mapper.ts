import { HttpStatus } from '@nestjs/common';
import { ConnectionException } from '../exceptions/connection.exception';
import type { DatabaseException } from '../exceptions/database.exception';
import { ForeignKeyException } from '../exceptions/foreign-key.exception';
import { LeaseLostException } from '../exceptions/lease-lost.exception';
import { OptimisticLockException } from '../exceptions/optimistic-lock.exception';
import { AuthenticationException, PermissionException } from '../exceptions/permission.exception';
import { RecordNotFoundException } from '../exceptions/record-not-found.exception';
import { UniqueConstraintException } from '../exceptions/unique-constraint.exception';
import { ValidationException } from '../exceptions/validation.exception';

/** The texts of error responses: fixed, so nothing from a driver or a statement reaches a client. */
export const HTTP_ERROR_MESSAGES = {
  validation: 'The request is invalid',
  notFound: 'The record was not found',
  unique: 'A record with this value already exists',
  optimisticLock: 'The record was changed since it was read; read it again and retry',
  leaseLost: 'Another worker holds this record now; this attempt was not recorded',
  foreignKey: 'A referenced record is missing or the record is still referenced',
  permission: 'The database refused this operation',
  authentication: 'The database rejected the credentials',
  unavailable: 'The database is unavailable; try again later',
  internal: 'The database operation failed',
} as const;

/** The JSON body of an error response. */
export interface DatabaseErrorResponseBody {
  statusCode: number;
  /** The library exception's stable code, e.g. `UNIQUE_VIOLATION`. */
  code: string;
  message: string;
  /** Caller-safe details: offending fields, the table, the id. */
  details?: Record<string, unknown>;
}

/** An HTTP status and body for a library exception. */
export interface DatabaseErrorResponse {
  status: number;
  body: DatabaseErrorResponseBody;
}

function response(
  status: number,
  exception: DatabaseException,
  message: string,
  details?: Record<string, unknown>,
): DatabaseErrorResponse {
  return {
    status,
    body: { statusCode: status, code: exception.code, message, ...(details ? { details } : {}) },
  };
}

/**
 * Maps a library exception to an HTTP response: validation 400, not found 404, unique and
 * foreign-key violations, optimistic-lock conflicts and lost leases 409, permission 403,
 * authentication 401, connection 503, anything else 500. Messages are fixed texts and details are the exception's caller-safe fields only: no SQL,
 * stack or driver message.
 */
export function mapDatabaseException(exception: DatabaseException): DatabaseErrorResponse {
  if (exception instanceof ValidationException) {
    // Violations the library made (validation rules, query checks) are caller-safe; one mapped from
    // a driver error (it has a cause) may quote the driver, so only its field names are sent.
    const violations =
      exception.cause === undefined
        ? exception.violations
        : exception.violations.map(({ field }) => ({ field }));
    return response(HttpStatus.BAD_REQUEST, exception, HTTP_ERROR_MESSAGES.validation, {
      violations,
    });
  }
  if (exception instanceof RecordNotFoundException) {
    return response(HttpStatus.NOT_FOUND, exception, HTTP_ERROR_MESSAGES.notFound, {
      table: exception.table,
      id: exception.id,
    });
  }
  if (exception instanceof OptimisticLockException) {
    return response(HttpStatus.CONFLICT, exception, HTTP_ERROR_MESSAGES.optimisticLock, {
      table: exception.table,
      id: exception.id,
      expectedVersion: exception.expectedVersion,
      currentVersion: exception.currentVersion,
    });
  }
  if (exception instanceof LeaseLostException) {
    // The worker's own id stays out: the response tells a client the record moved on, not who has it.
    return response(HttpStatus.CONFLICT, exception, HTTP_ERROR_MESSAGES.leaseLost, {
      table: exception.table,
      id: exception.id,
    });
  }
  if (exception instanceof UniqueConstraintException) {
    return response(HttpStatus.CONFLICT, exception, HTTP_ERROR_MESSAGES.unique, {
      table: exception.table,
      ...(exception.field ? { field: exception.field } : {}),
    });
  }
  if (exception instanceof ForeignKeyException) {
    return response(HttpStatus.CONFLICT, exception, HTTP_ERROR_MESSAGES.foreignKey, {
      table: exception.table,
    });
  }
  if (exception instanceof PermissionException) {
    return response(HttpStatus.FORBIDDEN, exception, HTTP_ERROR_MESSAGES.permission);
  }
  if (exception instanceof AuthenticationException) {
    return response(HttpStatus.UNAUTHORIZED, exception, HTTP_ERROR_MESSAGES.authentication);
  }
  if (exception instanceof ConnectionException) {
    return response(HttpStatus.SERVICE_UNAVAILABLE, exception, HTTP_ERROR_MESSAGES.unavailable);
  }
  return response(HttpStatus.INTERNAL_SERVER_ERROR, exception, HTTP_ERROR_MESSAGES.internal);
}
