import { usersTable, UserEntity } from '../../src';
import { rowMapper } from '../../src/adapters/sql/row-mapper';
import { sqliteDialect } from '../../src/adapters/sqlite/sqlite.dialect';
import { defineTable } from '../../src/schema/table-definition';

// The generated mapper must build exactly what the per-column loop it replaced built: the same
// properties in the same order, decoded values, and the sensitive column hidden.
const AT = '2024-05-01T12:00:00.000Z';
const ID = '0b7e7a3e-6f1e-4c8e-9a34-0b7e7a3e6f1e';
const userRow = [
  ID,
  'ada@example.com',
  'Ada',
  'Lovelace',
  'secret-hash',
  'User',
  'Active',
  1,
  null,
  null,
  null,
  null,
  AT,
  AT,
  null,
];

describe('rowMapper', () => {
  it('builds an entity of the table class with every column, in column order, decoded', () => {
    const user = rowMapper(usersTable, sqliteDialect)(userRow) as unknown as Record<
      string,
      unknown
    >;
    expect(user).toBeInstanceOf(UserEntity);
    expect(Object.getOwnPropertyNames(user)).toEqual(usersTable.columns.map((c) => c.property));
    expect(user.emailVerified).toBe(true);
    expect(user.createdAt).toBe(AT);
    expect(user.deletedAt).toBeNull();
  });

  it('keeps a sensitive column readable and writable but not enumerable', () => {
    const user = rowMapper(usersTable, sqliteDialect)(userRow) as unknown as Record<
      string,
      unknown
    >;
    expect(user.passwordHash).toBe('secret-hash');
    expect(Object.keys(user)).not.toContain('passwordHash');
    expect(JSON.stringify(user)).not.toContain('secret-hash');
    expect(Object.getOwnPropertyDescriptor(user, 'passwordHash')).toEqual({
      value: 'secret-hash',
      writable: true,
      configurable: true,
      enumerable: false,
    });
    user.passwordHash = 'changed';
    expect(user.passwordHash).toBe('changed');
  });

  it('maps a projection with its own decoders, and a table without a class to plain objects', () => {
    const columns = usersTable.columns.filter((c) => ['id', 'emailVerified'].includes(c.property));
    const upper = (value: unknown) => String(value).toUpperCase();
    const mapped = rowMapper(usersTable, sqliteDialect, columns, () => upper)([ID, 0]);
    expect(mapped).toEqual({ id: ID.toUpperCase(), emailVerified: '0' });
    const notes = defineTable({ name: 'notes', columns: { title: { type: 'string' } } });
    const note = rowMapper(notes, sqliteDialect)([ID, 'Hi', AT, AT, null]);
    expect(Object.getPrototypeOf(note)).toBe(Object.prototype);
    expect(note).toEqual({ id: ID, title: 'Hi', createdAt: AT, updatedAt: AT, deletedAt: null });
  });

  it('refuses a timestamp that is not in the library form, as the dialect decoder does', () => {
    const row = [...userRow];
    row[12] = '2024-05-01 12:00:00';
    expect(() => rowMapper(usersTable, sqliteDialect)(row)).toThrow(/created_at|createdAt/);
  });
});
