import { defineTable } from '../../src/schema';
import {
  compareSchema,
  normalizePredicate,
  sqlType,
  sqliteAffinity,
  tableModelOf,
  type LiveColumn,
  type LiveTable,
  type SqlDialect,
  type TableModel,
} from '../../src/schema-model';

const invoices = tableModelOf(
  defineTable({
    name: 'invoices',
    columns: {
      userId: { type: 'uuid', references: { table: 'users', onDelete: 'cascade' } },
      number: { type: 'string', unique: true, length: 32 },
      label: { type: 'string', nullable: true },
      amountCents: { type: 'integer' },
      paidAt: { type: 'timestamp', nullable: true },
    },
  }),
);

/** The database a generated migration of `model` makes, as introspection would read it. */
function liveOf(model: TableModel, dialect: SqlDialect): LiveTable {
  return {
    name: model.name,
    columns: model.columns.map((c) => ({
      name: c.name,
      sqlType: sqlType(c, dialect),
      type: c.type === 'string' && c.length === undefined ? 'text' : c.type,
      ...(c.length !== undefined && { length: c.length }),
      ...(c.wide && { wide: true }),
      nullable: c.nullable,
      primaryKey: c.primaryKey,
      hasDefault: c.primaryKey,
      ...(dialect === 'postgres' && {
        collation: c.type === 'string' || c.type === 'text' ? 'C' : null,
      }),
    })),
    indexes: model.indexes.map((i) => ({ ...i, name: `${i.name}_renamed` })),
    foreignKeys: model.columns.flatMap((c) =>
      c.references
        ? [
            {
              columns: [c.name],
              table: c.references.table,
              targetColumns: [c.references.column],
              onDelete: c.references.onDelete,
            },
          ]
        : [],
    ),
  };
}

/** The live table with one column changed. */
function withColumn(live: LiveTable, name: string, change: Partial<LiveColumn>): LiveTable {
  return {
    ...live,
    columns: live.columns.map((c) => (c.name === name ? { ...c, ...change } : c)),
  };
}

const compare = (live: LiveTable, dialect: SqlDialect = 'postgres') =>
  compareSchema([invoices], [live], dialect);

describe('compareSchema', () => {
  it.each(['sqlite', 'postgres'] as const)(
    'finds nothing when %s holds what the definition says, whatever the index names',
    (dialect) => {
      expect(compare(liveOf(invoices, dialect), dialect)).toEqual([]);
    },
  );

  it('names a missing table and a missing column', () => {
    expect(compareSchema([invoices], [], 'sqlite')).toEqual([
      {
        kind: 'missing-table',
        severity: 'drift',
        table: 'invoices',
        message: 'invoices: missing table (defined, not in the database)',
      },
    ]);
    const live = liveOf(invoices, 'postgres');
    const found = compare({ ...live, columns: live.columns.filter((c) => c.name !== 'label') });
    expect(found).toEqual([
      expect.objectContaining({
        kind: 'missing-column',
        column: 'label',
        message: 'invoices.label: missing column (text COLLATE "C")',
      }),
    ]);
  });

  it('compares PostgreSQL types as generated: lengths and widths count, text and varchar are one', () => {
    const live = liveOf(invoices, 'postgres');
    const found = compare(
      withColumn(
        withColumn(withColumn(live, 'amount_cents', { sqlType: 'bigint', wide: true }), 'number', {
          sqlType: 'character varying(16)',
          length: 16,
        }),
        'label',
        { sqlType: 'character varying', type: 'string' },
      ),
    );
    expect(found.map((d) => d.message)).toEqual([
      'invoices.number: type is character varying(16), the definition says string (varchar(32) COLLATE "C")',
      'invoices.amount_cents: type is bigint, the definition says integer (integer)',
    ]);
    const numeric = withColumn(live, 'amount_cents', { sqlType: 'numeric', type: undefined });
    expect(compare(numeric)).toEqual([
      expect.objectContaining({ kind: 'type', severity: 'drift' }),
    ]);
  });

  it('compares only the storage class on SQLite', () => {
    const live = liveOf(invoices, 'sqlite');
    expect(compare(withColumn(live, 'user_id', { sqlType: 'VARCHAR(36)' }), 'sqlite')).toEqual([]);
    expect(
      compare(withColumn(live, 'paid_at', { sqlType: 'REAL', type: undefined }), 'sqlite'),
    ).toEqual([
      expect.objectContaining({
        message: 'invoices.paid_at: type is REAL, the definition says timestamp (TEXT)',
      }),
    ]);
    expect(['INTEGER', 'TEXT', 'NUMERIC', 'BLOB', 'REAL'].map(sqliteAffinity)).toEqual([
      'INTEGER',
      'TEXT',
      'NUMERIC',
      'BLOB',
      'REAL',
    ]);
    expect(['BIGINT', 'varchar(10)', 'DOUBLE', ''].map(sqliteAffinity)).toEqual([
      'INTEGER',
      'TEXT',
      'REAL',
      'BLOB',
    ]);
  });

  it('names nullability either way, and an id that is not the primary key', () => {
    let live = liveOf(invoices, 'sqlite');
    live = withColumn(live, 'label', { nullable: false });
    live = withColumn(live, 'amount_cents', { nullable: true });
    live = withColumn(live, 'id', { primaryKey: false });
    expect(compare(live, 'sqlite').map((d) => d.message)).toEqual([
      'invoices.id: not the primary key',
      'invoices.label: NOT NULL in the database, nullable in the definition',
      'invoices.amount_cents: nullable in the database, NOT NULL in the definition',
    ]);
  });

  it('warns about another collation of PostgreSQL text', () => {
    const found = compare(withColumn(liveOf(invoices, 'postgres'), 'label', { collation: null }));
    expect(found).toEqual([
      expect.objectContaining({
        kind: 'collation',
        severity: 'warning',
        message: expect.stringContaining('collation is the database default'),
      }),
    ]);
  });

  it('matches indexes by shape: a whole unique index does not stand for a partial one', () => {
    const live = liveOf(invoices, 'postgres');
    const indexes = live.indexes.map((i) =>
      i.columns[0] === 'number' ? { name: 'n', columns: ['number'], unique: true } : i,
    );
    const found = compare({ ...live, indexes });
    expect(found.map((d) => [d.severity, d.message])).toEqual([
      [
        'drift',
        'invoices: missing unique index (number) WHERE deleted_at IS NULL (generated as invoices_number_key)',
      ],
      [
        'warning',
        'invoices: unique index n (number) is not in the definition; rows it refuses fail as UniqueConstraintException',
      ],
    ]);
  });

  it('reads a predicate in any spelling, and lets extra plain indexes be', () => {
    const live = liveOf(invoices, 'postgres');
    const indexes = [
      ...live.indexes.map((i) => (i.where ? { ...i, where: '("deleted_at" IS  NULL)' } : i)),
      { name: 'extra', columns: ['label', 'paid_at'], unique: false },
    ];
    expect(compare({ ...live, indexes })).toEqual([]);
    expect(normalizePredicate('((deleted_at IS NULL))')).toBe('deleted_at is null');
    expect(normalizePredicate('(a) OR (b)')).toBe('(a) or (b)');
  });

  it('names a missing or different foreign key; restrict and no action are one; extra ones are fine', () => {
    const live = liveOf(invoices, 'sqlite');
    expect(compare({ ...live, foreignKeys: [] }, 'sqlite')).toEqual([
      expect.objectContaining({
        kind: 'missing-foreign-key',
        message: 'invoices.user_id: missing foreign key to users.id ON DELETE CASCADE',
      }),
    ]);
    const restrict = { ...live.foreignKeys[0], onDelete: 'no action' };
    expect(compare({ ...live, foreignKeys: [restrict] }, 'sqlite')).toEqual([
      expect.objectContaining({
        kind: 'foreign-key',
        message:
          'invoices.user_id: foreign key to users.id ON DELETE NO ACTION, the definition says users.id ON DELETE CASCADE',
      }),
    ]);
    const extra = {
      columns: ['label'],
      table: 'labels',
      targetColumns: ['id'],
      onDelete: 'cascade',
    };
    expect(compare({ ...live, foreignKeys: [...live.foreignKeys, extra] }, 'sqlite')).toEqual([]);
  });

  it('an unknown column is drift only when inserts that leave it out fail', () => {
    const live = liveOf(invoices, 'postgres');
    const column = (name: string, nullable: boolean, hasDefault: boolean): LiveColumn => ({
      name,
      sqlType: 'integer',
      type: 'integer',
      nullable,
      primaryKey: false,
      hasDefault,
      collation: null,
    });
    const found = compare({
      ...live,
      columns: [
        ...live.columns,
        column('memo', true, false),
        column('code', false, true),
        column('must', false, false),
      ],
    });
    expect(found.map((d) => [d.severity, d.column])).toEqual([
      ['warning', 'memo'],
      ['warning', 'code'],
      ['drift', 'must'],
    ]);
    expect(found[2].message).toMatch(/NOT NULL without a default, so every insert/);
  });
});
