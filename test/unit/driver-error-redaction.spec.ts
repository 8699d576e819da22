import { inspect } from 'node:util';
import { DatabaseError } from 'pg';
import { redactDriverDetails } from '../../src/adapters/driver-error-redaction';
import { mapPostgresError } from '../../src/adapters/postgres';
import { mapSupabaseError } from '../../src/adapters/supabase/supabase-error.mapper';
import { UniqueConstraintException, ValidationException } from '../../src/exceptions';
import { allowQueriesOn, defineTable, usersTable, type IBaseEntity } from '../../src/schema';

interface IApiKey extends IBaseEntity {
  keyHash: string;
  label: string;
}

/** A table with a unique sensitive column: its key detail would carry the secret. */
const apiKeysTable = allowQueriesOn(
  defineTable<IApiKey>({
    name: 'api_keys',
    columns: {
      keyHash: { type: 'string', unique: true, sensitive: true },
      label: { type: 'string', unique: true },
    },
  }),
  ['keyHash'],
);

function serverError(code: string, fields: Partial<DatabaseError>): DatabaseError {
  return Object.assign(new DatabaseError(`server error ${code}`, 0, 'error'), { code, ...fields });
}

describe('redactDriverDetails', () => {
  it('replaces a whole failing row, on node-postgres and PostgREST errors alike', () => {
    const pg = { detail: 'Failing row contains (1, a@b.c, $2b$10$secret).' };
    const postgrest = { details: 'Failing row contains (1, a@b.c, $2b$10$secret).' };
    redactDriverDetails(pg);
    redactDriverDetails(postgrest);
    expect(pg.detail).toBe('Failing row contains ([REDACTED])');
    expect(postgrest.details).toBe('Failing row contains ([REDACTED])');
    redactDriverDetails(pg);
    expect(pg.detail).toBe('Failing row contains ([REDACTED])');
  });

  it('keeps the columns of a key detail, and drops its values when a column is sensitive', () => {
    const secret = { detail: 'Key (key_hash)=(sha256:abc) already exists.' };
    const plain = { detail: 'Key (label)=(ci) already exists.' };
    redactDriverDetails(secret, apiKeysTable);
    redactDriverDetails(plain, apiKeysTable);
    expect(secret.detail).toBe('Key (key_hash)=([REDACTED])');
    expect(plain.detail).toBe('Key (label)=(ci) already exists.');
  });

  it('leaves anything else alone', () => {
    for (const value of [undefined, null, 'text', 42]) {
      expect(() => redactDriverDetails(value)).not.toThrow();
    }
    const other = { detail: 'something else', details: 7 };
    redactDriverDetails(other);
    expect(other).toEqual({ detail: 'something else', details: 7 });
  });

  it('still lets the Postgres mapper name the property of a redacted key', () => {
    const mapped = mapPostgresError(
      serverError('23505', { detail: 'Key (key_hash)=(sha256:abc) already exists.' }),
      { table: apiKeysTable },
    );
    expect(mapped).toBeInstanceOf(UniqueConstraintException);
    expect((mapped as UniqueConstraintException).field).toBe('keyHash');
    expect(inspect(mapped, { depth: 5 })).not.toContain('sha256:abc');
  });

  it('keeps a failing row out of the Postgres and Supabase exceptions', () => {
    const row = 'Failing row contains (1, a@b.c, Ada, Lovelace, $2b$10$secret, Emperor).';
    const pg = mapPostgresError(
      serverError('23514', { detail: row, constraint: 'users_role_check' }),
      {
        table: usersTable,
      },
    );
    const supabase = mapSupabaseError(
      {
        status: 400,
        error: { code: '23502', message: 'null value in column "email"', details: row },
      },
      usersTable,
    );
    for (const mapped of [pg, supabase]) {
      expect(mapped).toBeInstanceOf(ValidationException);
      expect(inspect(mapped, { depth: 5 })).not.toContain('$2b$10$secret');
      expect(inspect(mapped, { depth: 5 })).not.toContain('a@b.c');
    }
  });

  it('drops the values of a key detail when the table is not known', () => {
    const error = { code: '23505', detail: 'Key (email)=(ada@example.com) already exists.' };
    redactDriverDetails(error);
    expect(error.detail).toBe('Key (email)=([REDACTED])');
  });
});
