import { SQLiteAdapter } from '../../src/adapters/sqlite/sqlite.adapter';
import { ValidationException } from '../../src/exceptions';
import { normalizeCreate, normalizeUpdate } from '../../src/query/normalize-write';
import { BaseRepository } from '../../src/repositories/base.repository';
import { defineTable, type EntityOf } from '../../src/schema';

const invoicesTable = defineTable({
  name: 'invoices',
  columns: {
    number: { type: 'string', length: 5 },
    status: { type: 'string', enum: ['draft', 'open', 'paid'], default: 'draft' },
    notes: { type: 'text', nullable: true },
  },
});
type Invoice = EntityOf<typeof invoicesTable>;

class InvoicesRepository extends BaseRepository<Invoice> {
  protected readonly table = invoicesTable;
}

function violationsOf(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationException);
    return (error as ValidationException).violations;
  }
  throw new Error('expected a ValidationException');
}

describe('the rules a declaration carries: lengths and enums', () => {
  const now = new Date().toISOString();

  it('refuses a value longer than its length, counting characters, not UTF-16 units', () => {
    expect(
      violationsOf(() => normalizeCreate(invoicesTable, { number: 'INV-12', status: 'open' }, now)),
    ).toEqual([{ field: 'number', messages: ['number must be at most 5 characters'] }]);
    // Five emoji are ten UTF-16 units but five characters, as VARCHAR(5) counts them.
    expect(() =>
      normalizeCreate(invoicesTable, { number: '😀😀😀😀😀', status: 'open' }, now),
    ).not.toThrow();
  });

  it('refuses a value outside its enum, on create and on update, naming every bad field at once', () => {
    expect(
      violationsOf(() =>
        normalizeCreate(invoicesTable, { number: 'TOOLONG', status: 'void' }, now),
      ),
    ).toEqual([
      { field: 'number', messages: ['number must be at most 5 characters'] },
      { field: 'status', messages: ['status must be one of draft, open, paid'] },
    ]);
    expect(violationsOf(() => normalizeUpdate(invoicesTable, { status: 'void' }, now))).toEqual([
      { field: 'status', messages: ['status must be one of draft, open, paid'] },
    ]);
  });

  it('checks the declaration itself when the table is defined', () => {
    expect(() =>
      defineTable({ name: 't', columns: { a: { type: 'integer', length: 3 } } }),
    ).toThrow(/Only a string column has a length or an enum/);
    expect(() => defineTable({ name: 't', columns: { a: { type: 'string', enum: [] } } })).toThrow(
      /non-empty list of distinct strings/,
    );
    expect(() =>
      defineTable({ name: 't', columns: { a: { type: 'string', enum: ['x'], default: 'y' } } }),
    ).toThrow(/default of a does not fit/);
    expect(() =>
      defineTable({
        name: 't',
        columns: { a: { type: 'uuid', references: { table: 'Users;--' } } },
      }),
    ).toThrow(/foreign key of a/);
  });

  it('holds for a repository over a declared table with no entity class (SQLite)', async () => {
    const adapter = await SQLiteAdapter.open({ path: ':memory:' });
    try {
      adapter.connection.exec(
        `CREATE TABLE invoices (id TEXT PRIMARY KEY, number TEXT NOT NULL, status TEXT NOT NULL,
          notes TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, deleted_at TEXT) STRICT`,
      );
      const invoices = new InvoicesRepository(adapter);
      await expect(invoices.create({ number: 'TOOLONG', status: 'open' })).rejects.toThrow(
        ValidationException,
      );
      await expect(invoices.create({ number: 'A-1', status: 'void' as never })).rejects.toThrow(
        /status/,
      );
      const created = await invoices.create({ number: 'A-1', status: 'open' });
      expect(created).toMatchObject({ number: 'A-1', status: 'open', notes: null });
      await expect(invoices.count()).resolves.toBe(1);
    } finally {
      await adapter.close();
    }
  });
});
