import { runInNewContext } from 'node:vm';
import {
  ConnectionException,
  ForeignKeyException,
  QueryException,
  TransactionException,
  UniqueConstraintException,
  ValidationException,
  mapSqliteError,
  usersTable,
} from '../../src';

const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('mapSqliteError', () => {
  const context = { table: usersTable, operation: 'create' };

  it.each([
    [
      'SQLITE_CONSTRAINT_UNIQUE',
      'UNIQUE constraint failed: users.email',
      UniqueConstraintException,
      false,
    ],
    ['SQLITE_CONSTRAINT_FOREIGNKEY', 'FOREIGN KEY constraint failed', ForeignKeyException, false],
    ['SQLITE_CONSTRAINT_TRIGGER', 'FOREIGN KEY constraint failed', ForeignKeyException, false],
    [
      'SQLITE_CONSTRAINT_NOTNULL',
      'NOT NULL constraint failed: users.email',
      ValidationException,
      false,
    ],
    ['SQLITE_CONSTRAINT_CHECK', 'CHECK constraint failed: role', ValidationException, false],
    ['SQLITE_BUSY', 'database is locked', TransactionException, true],
    ['SQLITE_IOERR_WRITE', 'disk I/O error', ConnectionException, true],
    ['SQLITE_CORRUPT', 'database disk image is malformed', ConnectionException, false],
    ['SQLITE_ERROR', 'no such table: users', QueryException, false],
  ])('%s becomes the right exception, keeping the cause', (code, message, type, retryable) => {
    const original = sqliteError(code, message);
    const mapped = mapSqliteError(original, context);
    expect(mapped).toBeInstanceOf(type);
    expect(mapped.retryable).toBe(retryable);
    expect(mapped.cause).toBe(original);
    expect(mapped.message).not.toContain('SQLITE');
  });

  it('recognizes errors made in another realm (better-sqlite3 keeps its first realm)', () => {
    const foreign = runInNewContext(
      'Object.assign(new Error("UNIQUE constraint failed: users.email"), { code: "SQLITE_CONSTRAINT_UNIQUE" })',
    ) as Error;
    expect(foreign instanceof Error).toBe(false);
    const mapped = mapSqliteError(foreign, context);
    expect(mapped).toBeInstanceOf(UniqueConstraintException);
    expect(mapped.cause).toBe(foreign);
  });

  it('names the unique field', () => {
    const mapped = mapSqliteError(
      sqliteError('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: users.email'),
      context,
    );
    expect((mapped as UniqueConstraintException).field).toBe('email');
  });
});
