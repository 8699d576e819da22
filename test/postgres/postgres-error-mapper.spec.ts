import { DatabaseError } from 'pg';
import { isPostgresConnectionError, mapPostgresError } from '../../src/adapters/postgres';
import {
  AuthenticationException,
  ConnectionException,
  ForeignKeyException,
  PermissionException,
  QueryException,
  TransactionException,
  UniqueConstraintException,
  ValidationException,
} from '../../src/exceptions';
import { usersTable } from '../../src/schema/users.table';

/** A server error as node-postgres raises it. */
function serverError(code: string, fields: Partial<DatabaseError> = {}): DatabaseError {
  return Object.assign(new DatabaseError(`server error ${code}`, 0, 'error'), { code, ...fields });
}

/** A socket error as Node raises it. */
function socketError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });
}

describe('mapPostgresError', () => {
  it('maps 23505 to UniqueConstraintException naming the property from the detail', () => {
    const cause = serverError('23505', {
      detail: 'Key (stripe_customer_id)=(cus_1) already exists.',
      constraint: 'users_stripe_customer_id_key',
    });
    const mapped = mapPostgresError(cause, { table: usersTable });
    expect(mapped).toBeInstanceOf(UniqueConstraintException);
    expect((mapped as UniqueConstraintException).field).toBe('stripeCustomerId');
    expect(mapped.cause).toBe(cause);
    expect(mapped.message).not.toContain('cus_1');
  });

  it('falls back to the index name when the detail is withheld, preferring the longest column', () => {
    const mapped = mapPostgresError(
      serverError('23505', { constraint: 'users_stripe_customer_id_key' }),
      {
        table: usersTable,
      },
    );
    expect((mapped as UniqueConstraintException).field).toBe('stripeCustomerId');
    const byEmail = mapPostgresError(serverError('23505', { constraint: 'users_email_key' }), {
      table: usersTable,
    });
    expect((byEmail as UniqueConstraintException).field).toBe('email');
  });

  it('reads the column out of an expression index detail', () => {
    const mapped = mapPostgresError(
      serverError('23505', { detail: 'Key (lower(email))=(a@b.c) already exists.' }),
      {
        table: usersTable,
      },
    );
    expect((mapped as UniqueConstraintException).field).toBe('email');
  });

  it('maps 23503 to ForeignKeyException', () => {
    const mapped = mapPostgresError(serverError('23503'), { table: usersTable });
    expect(mapped).toBeInstanceOf(ForeignKeyException);
    expect(mapped.details).toMatchObject({ table: 'users', sqlState: '23503' });
  });

  it.each(['23502', '22P02', '23514', '22001', '22003'])(
    'maps %s to ValidationException',
    (code) => {
      const cause = serverError(code, { column: 'first_name' });
      const mapped = mapPostgresError(cause, { table: usersTable });
      expect(mapped).toBeInstanceOf(ValidationException);
      expect(mapped.retryable).toBe(false);
      expect(mapped.cause).toBe(cause);
    },
  );

  it('names the property of a not-null violation', () => {
    const mapped = mapPostgresError(serverError('23502', { column: 'first_name' }), {
      table: usersTable,
    });
    expect((mapped as ValidationException).field).toBe('firstName');
  });

  it.each(['40P01', '40001'])('maps %s to a retryable TransactionException', (code) => {
    const mapped = mapPostgresError(serverError(code));
    expect(mapped).toBeInstanceOf(TransactionException);
    expect(mapped.retryable).toBe(true);
  });

  it.each(['57014', '08006', '08001', '57P01', '57P02', '57P03', '53300'])(
    'maps %s to a retryable ConnectionException',
    (code) => {
      const mapped = mapPostgresError(serverError(code));
      expect(mapped).toBeInstanceOf(ConnectionException);
      expect(mapped.retryable).toBe(true);
    },
  );

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'])(
    'maps the socket error %s to ConnectionException',
    (code) => {
      const cause = socketError(code);
      const mapped = mapPostgresError(cause);
      expect(mapped).toBeInstanceOf(ConnectionException);
      expect(mapped.cause).toBe(cause);
      expect(isPostgresConnectionError(cause)).toBe(true);
    },
  );

  it('maps the lost-connection messages of node-postgres and pg-pool to ConnectionException', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      'Connection terminated due to connection timeout',
      'timeout exceeded when trying to connect',
      'Client has encountered a connection error and is not queryable',
    ]) {
      expect(mapPostgresError(new Error(message))).toBeInstanceOf(ConnectionException);
    }
  });

  it('maps 42501 to PermissionException and 28P01 to AuthenticationException', () => {
    expect(mapPostgresError(serverError('42501'))).toBeInstanceOf(PermissionException);
    expect(mapPostgresError(serverError('28P01'))).toBeInstanceOf(AuthenticationException);
  });

  it('maps anything else to QueryException with the cause', () => {
    const cause = serverError('42P01');
    const mapped = mapPostgresError(cause, { table: usersTable });
    expect(mapped).toBeInstanceOf(QueryException);
    expect(mapped.cause).toBe(cause);
    expect(mapPostgresError('not even an error')).toBeInstanceOf(QueryException);
  });

  it('passes a library exception through unchanged', () => {
    const original = new ValidationException('bad', 'email');
    expect(mapPostgresError(original)).toBe(original);
  });

  it('does not treat constraint errors as connection failures', () => {
    expect(isPostgresConnectionError(serverError('23505'))).toBe(false);
  });
});
