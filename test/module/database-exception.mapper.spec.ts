import { HTTP_ERROR_MESSAGES, mapDatabaseException } from '../../src/http';
import {
  AuthenticationException,
  CircuitOpenException,
  ConnectionException,
  DatabaseException,
  ForeignKeyException,
  LeaseLostException,
  OptimisticLockException,
  PermissionException,
  QueryException,
  RecordNotFoundException,
  TransactionException,
  UniqueConstraintException,
  ValidationException,
} from '../../src/exceptions';

const driverText = 'SQLITE_CONSTRAINT: UNIQUE constraint failed: users.email (SELECT * FROM users)';

describe('mapDatabaseException', () => {
  it.each([
    [
      new ValidationException(driverText, 'email', { cause: new Error(driverText) }),
      400,
      HTTP_ERROR_MESSAGES.validation,
    ],
    [new RecordNotFoundException('users', 'abc'), 404, HTTP_ERROR_MESSAGES.notFound],
    [
      new UniqueConstraintException('users', 'email', { cause: new Error(driverText) }),
      409,
      HTTP_ERROR_MESSAGES.unique,
    ],
    [
      new ForeignKeyException('payments', { cause: new Error(driverText) }),
      409,
      HTTP_ERROR_MESSAGES.foreignKey,
    ],
    [new OptimisticLockException('users', 'abc', 2, 3), 409, HTTP_ERROR_MESSAGES.optimisticLock],
    [
      new LeaseLostException('webhook_events', 'evt', 'worker-1'),
      409,
      HTTP_ERROR_MESSAGES.leaseLost,
    ],
    [new PermissionException(driverText), 403, HTTP_ERROR_MESSAGES.permission],
    [new AuthenticationException(driverText), 401, HTTP_ERROR_MESSAGES.authentication],
    [new ConnectionException(driverText), 503, HTTP_ERROR_MESSAGES.unavailable],
    [new CircuitOpenException(driverText), 503, HTTP_ERROR_MESSAGES.unavailable],
    [new QueryException(driverText), 500, HTTP_ERROR_MESSAGES.internal],
    [new TransactionException(driverText), 500, HTTP_ERROR_MESSAGES.internal],
    [new DatabaseException(driverText), 500, HTTP_ERROR_MESSAGES.internal],
  ])('%p → %i with a fixed message', (exception, status, message) => {
    const { status: actual, body } = mapDatabaseException(exception);
    expect(actual).toBe(status);
    expect(body).toMatchObject({ statusCode: status, code: exception.code, message });
    const text = JSON.stringify(body);
    expect(text).not.toMatch(/SQLITE|SELECT|stack/);
  });

  it('carries only caller-safe details', () => {
    expect(
      mapDatabaseException(new UniqueConstraintException('users', 'email')).body.details,
    ).toEqual({
      table: 'users',
      field: 'email',
    });
    expect(mapDatabaseException(new RecordNotFoundException('users', 'id-1')).body.details).toEqual(
      {
        table: 'users',
        id: 'id-1',
      },
    );
    expect(
      mapDatabaseException(new OptimisticLockException('notes', 'id-1', 2, 5)).body,
    ).toMatchObject({
      code: 'OPTIMISTIC_LOCK',
      details: { table: 'notes', id: 'id-1', expectedVersion: 2, currentVersion: 5 },
    });
    const validation = new ValidationException('bad', undefined, {
      violations: [{ field: 'email', messages: ['email must be an email'] }],
    });
    expect(mapDatabaseException(validation).body.details).toEqual({
      violations: [{ field: 'email', messages: ['email must be an email'] }],
    });
  });
});
