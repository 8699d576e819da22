import { constraintName, sqlType, tableModelOf } from '../../src/schema-model';
import { defineTable, SAFE_INTEGER_RANGE } from '../../src/schema';

const invoices = defineTable({
  name: 'invoices',
  columns: {
    userId: { type: 'uuid', references: { table: 'users', onDelete: 'cascade' } },
    number: { type: 'string', unique: true, length: 32 },
    currency: { type: 'string', enum: ['usd', 'eur'], default: 'usd' },
    amountCents: { type: 'integer', range: SAFE_INTEGER_RANGE },
    paidAt: { type: 'timestamp', nullable: true, index: true },
  },
});

describe('tableModelOf', () => {
  const model = tableModelOf(invoices);

  it('lists the columns in declaration order, managed ones around them', () => {
    expect(model.columns.map((c) => c.name)).toEqual([
      'id',
      'user_id',
      'number',
      'currency',
      'amount_cents',
      'paid_at',
      'created_at',
      'updated_at',
      'deleted_at',
    ]);
    expect(model.columns[0]).toMatchObject({ primaryKey: true, type: 'uuid', nullable: false });
    expect(model.columns[1].references).toEqual({
      table: 'users',
      column: 'id',
      onDelete: 'cascade',
    });
    expect(model.columns[3]).toMatchObject({ enumValues: ['usd', 'eur'], default: 'usd' });
    expect(model.columns[4].wide).toBe(true);
  });

  it('gives the indexes of the library conventions', () => {
    expect(model.indexes).toEqual([
      {
        name: 'invoices_user_id_created_at_idx',
        columns: ['user_id', 'created_at', 'id'],
        unique: false,
      },
      {
        name: 'invoices_number_key',
        columns: ['number'],
        unique: true,
        where: 'deleted_at IS NULL',
      },
      { name: 'invoices_paid_at_idx', columns: ['paid_at'], unique: false },
      { name: 'invoices_created_at_id_idx', columns: ['created_at', 'id'], unique: false },
      { name: 'invoices_deleted_at_idx', columns: ['deleted_at'], unique: false },
    ]);
  });

  it('keeps unique indexes whole on tables without soft delete', () => {
    const plain = defineTable({
      name: 'tags',
      softDelete: false,
      columns: { label: { type: 'string', unique: true } },
    });
    const indexes = tableModelOf(plain).indexes;
    expect(indexes[0]).toEqual({ name: 'tags_label_key', columns: ['label'], unique: true });
    expect(indexes.map((i) => i.name)).not.toContain('tags_deleted_at_idx');
  });

  it('cuts long names to 63 bytes with a hash, keeping them distinct', () => {
    const long = 'a'.repeat(40);
    const one = constraintName(long, ['b'.repeat(30)], 'key');
    const two = constraintName(long, ['b'.repeat(29) + 'c'], 'key');
    expect(one.length).toBeLessThanOrEqual(63);
    expect(one.endsWith('_key')).toBe(true);
    expect(one).not.toBe(two);
  });

  it('maps column types per dialect as the library migrations do', () => {
    const byName = new Map(model.columns.map((c) => [c.name, c]));
    expect(sqlType(byName.get('number')!, 'postgres')).toBe('varchar(32) COLLATE "C"');
    expect(sqlType(byName.get('amount_cents')!, 'postgres')).toBe('bigint');
    expect(sqlType(byName.get('paid_at')!, 'postgres')).toBe('timestamptz(3)');
    expect(sqlType(byName.get('number')!, 'sqlite')).toBe('TEXT');
    expect(sqlType(byName.get('amount_cents')!, 'sqlite')).toBe('INTEGER');
  });
});
