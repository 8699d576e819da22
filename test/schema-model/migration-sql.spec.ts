import {
  defaultLiteral,
  diffSchemas,
  planMigration,
  postgresMigrationSql,
  rlsOwnerSql,
  sqliteMigrationSql,
  type TableModel,
} from '../../src/schema-model';
import type { ColumnOptions } from '../../src/schema';
import { invoices, modelOf } from './support/models';

const base: Record<string, ColumnOptions> = {
  userId: { type: 'uuid', references: { table: 'users', onDelete: 'cascade' } },
  number: { type: 'string', unique: true, length: 32 },
  status: { type: 'string', enum: ['draft', "o'clock"], default: 'draft' },
  paid: { type: 'boolean', default: false },
  meta: { type: 'json', nullable: true },
};

/** The SQL of the change from `before` to `after` (the file's header and blank lines left out). */
function sql(before: TableModel[], after: TableModel[]) {
  const changes = diffSchemas(before, after);
  return {
    sqlite: sqliteMigrationSql(changes, before, after),
    postgres: postgresMigrationSql(changes),
  };
}

describe('generated DDL', () => {
  it('creates a table as the library migrations do, on SQLite', () => {
    expect(sql([], [invoices(base)]).sqlite).toBe(
      `CREATE TABLE invoices (
  id TEXT NOT NULL PRIMARY KEY,
  user_id TEXT NOT NULL,
  number TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'draft',
  paid INTEGER NOT NULL DEFAULT 0,
  meta TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT,
  CONSTRAINT invoices_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT invoices_number_check CHECK (length(number) <= 32),
  CONSTRAINT invoices_status_check CHECK (status IN ('draft', 'o''clock')),
  CONSTRAINT invoices_paid_check CHECK (paid IN (0, 1)),
  CONSTRAINT invoices_meta_check CHECK (json_valid(meta))
) STRICT;

CREATE INDEX invoices_user_id_created_at_idx ON invoices (user_id, created_at, id);
CREATE UNIQUE INDEX invoices_number_key ON invoices (number) WHERE deleted_at IS NULL;
CREATE INDEX invoices_created_at_id_idx ON invoices (created_at, id);
CREATE INDEX invoices_deleted_at_idx ON invoices (deleted_at);`,
    );
  });

  it('creates a table as the library migrations do, on PostgreSQL', () => {
    expect(sql([], [invoices(base)]).postgres).toBe(
      `CREATE TABLE invoices (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL,
  number varchar(32) COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL DEFAULT 'draft',
  paid boolean NOT NULL DEFAULT false,
  meta jsonb,
  created_at timestamptz(3) NOT NULL,
  updated_at timestamptz(3) NOT NULL,
  deleted_at timestamptz(3),
  CONSTRAINT invoices_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT invoices_status_check CHECK (status IN ('draft', 'o''clock'))
);

CREATE INDEX invoices_user_id_created_at_idx ON invoices (user_id, created_at, id);
CREATE UNIQUE INDEX invoices_number_key ON invoices (number) WHERE deleted_at IS NULL;
CREATE INDEX invoices_created_at_id_idx ON invoices (created_at, id);
CREATE INDEX invoices_deleted_at_idx ON invoices (deleted_at);`,
    );
  });

  it('adds a nullable column, or one with a default, in place on both', () => {
    const after = invoices({
      ...base,
      note: { type: 'text', nullable: true },
      currency: { type: 'string', enum: ['usd', 'eur'], default: 'usd' },
    });
    const { sqlite, postgres } = sql([invoices(base)], [after]);
    expect(sqlite).toBe(
      `ALTER TABLE invoices ADD COLUMN note TEXT;
ALTER TABLE invoices ADD COLUMN currency TEXT NOT NULL DEFAULT 'usd' CONSTRAINT invoices_currency_check CHECK (currency IN ('usd', 'eur'));`,
    );
    expect(postgres).toBe(
      `ALTER TABLE invoices
  ADD COLUMN note text COLLATE "C",
  ADD COLUMN currency text COLLATE "C" NOT NULL DEFAULT 'usd' CONSTRAINT invoices_currency_check CHECK (currency IN ('usd', 'eur'));`,
    );
  });

  it('adds a nullable foreign key column in place, with its index', () => {
    const after = invoices({
      ...base,
      payerId: {
        type: 'uuid',
        nullable: true,
        references: { table: 'users', onDelete: 'set null' },
      },
    });
    const { sqlite } = sql([invoices(base)], [after]);
    expect(sqlite).toBe(
      `ALTER TABLE invoices ADD COLUMN payer_id TEXT CONSTRAINT invoices_payer_id_fkey REFERENCES users (id) ON DELETE SET NULL;

CREATE INDEX invoices_payer_id_created_at_idx ON invoices (payer_id, created_at, id);`,
    );
  });

  it('makes a column NOT NULL: its NULLs take the default, SQLite rebuilds with foreign keys off', () => {
    const before = invoices({ ...base, note: { type: 'text', nullable: true } });
    const after = invoices({ ...base, note: { type: 'text', default: '' } });
    const { sqlite, postgres } = sql([before], [after]);
    expect(postgres).toBe(
      `UPDATE invoices SET note = '' WHERE note IS NULL;
ALTER TABLE invoices
  ALTER COLUMN note SET NOT NULL,
  ALTER COLUMN note SET DEFAULT '';`,
    );
    expect(sqlite.split('\n\n')[0]).toMatch(
      /^-- Foreign keys off[\s\S]*\nPRAGMA foreign_keys = OFF;$/,
    );
    expect(sqlite).toContain('CREATE TABLE new_invoices (\n  id TEXT NOT NULL PRIMARY KEY,');
    expect(sqlite).toContain(
      `INSERT INTO new_invoices (id, user_id, number, status, paid, meta, note, created_at, updated_at, deleted_at)
  SELECT id, user_id, number, status, paid, meta, coalesce(note, ''), created_at, updated_at, deleted_at FROM invoices;
DROP TABLE invoices;
ALTER TABLE new_invoices RENAME TO invoices;
CREATE INDEX invoices_user_id_created_at_idx ON invoices (user_id, created_at, id);`,
    );
  });

  it('changes an enum: a new CHECK on PostgreSQL, a rebuild on SQLite', () => {
    const after = invoices({
      ...base,
      status: { type: 'string', enum: ['draft', 'sent'], default: 'draft' },
    });
    const { sqlite, postgres } = sql([invoices(base)], [after]);
    expect(postgres).toBe(
      `ALTER TABLE invoices
  DROP CONSTRAINT invoices_status_check,
  ADD CONSTRAINT invoices_status_check CHECK (status IN ('draft', 'sent'));`,
    );
    expect(sqlite).toContain(
      "CONSTRAINT invoices_status_check CHECK (status IN ('draft', 'sent'))",
    );
    expect(sqlite).toContain('ALTER TABLE new_invoices RENAME TO invoices;');
  });

  it('changes a type with a cast, putting the default back after', () => {
    const before = invoices({ ...base, total: { type: 'string', default: '0' } });
    const after = invoices({ ...base, total: { type: 'integer', default: 0 } });
    expect(sql([before], [after]).postgres).toBe(
      `ALTER TABLE invoices
  ALTER COLUMN total DROP DEFAULT,
  ALTER COLUMN total TYPE integer USING total::integer,
  ALTER COLUMN total SET DEFAULT 0;`,
    );
  });

  it('writes nothing for SQLite when its DDL does not show the change', () => {
    const before = invoices({ ...base, total: { type: 'integer' } });
    const after = invoices({
      ...base,
      total: { type: 'integer', range: { min: 0, max: 2 ** 40 } },
    });
    expect(sql([before], [after])).toEqual({
      sqlite: '',
      postgres: 'ALTER TABLE invoices\n  ALTER COLUMN total TYPE bigint USING total::bigint;',
    });
  });

  it('drops a plain column in place on SQLite, and rebuilds for one with a CHECK', () => {
    const plain = sql(
      [invoices({ ...base, note: { type: 'text', nullable: true } })],
      [invoices(base)],
    );
    expect(plain.sqlite).toBe('ALTER TABLE invoices DROP COLUMN note;');
    expect(plain.postgres).toBe('ALTER TABLE invoices\n  DROP COLUMN note;');
    const { paid: _paid, ...withoutPaid } = base;
    const checked = sql([invoices(base)], [invoices(withoutPaid)]);
    expect(checked.sqlite).toContain('ALTER TABLE new_invoices RENAME TO invoices;');
    expect(checked.sqlite).not.toContain('paid');
  });

  it('drops an index before a column, creates one after', () => {
    const before = invoices({ ...base, note: { type: 'string', nullable: true, index: true } });
    const after = invoices({ ...base, kind: { type: 'string', nullable: true, index: true } });
    expect(sql([before], [after]).sqlite).toBe(
      `DROP INDEX invoices_note_idx;

ALTER TABLE invoices DROP COLUMN note;

ALTER TABLE invoices ADD COLUMN kind TEXT;

CREATE INDEX invoices_kind_idx ON invoices (kind);`,
    );
  });

  it('creates referenced tables first and drops them last', () => {
    const lines = modelOf('invoice_lines', {
      invoiceId: { type: 'uuid', references: { table: 'invoices' } },
    });
    const create = sql([], [lines, invoices(base)]).postgres;
    expect(create.indexOf('CREATE TABLE invoices')).toBeLessThan(
      create.indexOf('CREATE TABLE invoice_lines'),
    );
    const drop = sql([lines, invoices(base)], []).sqlite;
    expect(drop).toMatch(
      /PRAGMA foreign_keys = OFF;\n\nDROP TABLE invoice_lines;\nDROP TABLE invoices;$/,
    );
  });

  it('gives the rebuilt copy a name no table has', () => {
    const taken = modelOf('new_invoices', {});
    const after = invoices({ ...base, paid: { type: 'boolean', default: true } });
    expect(sql([invoices(base), taken], [after, taken]).sqlite).toContain(
      'ALTER TABLE new_new_invoices RENAME TO invoices;',
    );
  });

  it('writes defaults as literals of the dialect', () => {
    expect(defaultLiteral("it's", 'postgres')).toBe("'it''s'");
    expect(defaultLiteral(true, 'sqlite')).toBe('1');
    expect(defaultLiteral(false, 'postgres')).toBe('false');
    expect(defaultLiteral(-5, 'sqlite')).toBe('-5');
    expect(defaultLiteral(null, 'postgres')).toBe('NULL');
  });

  it('writes the down as the way back: dropping what the up created', () => {
    const plan = planMigration([], [invoices(base)], { name: 'create_invoices' });
    expect(plan.sql.postgres.down).toBe(
      '-- create_invoices (down): written by `nest-data-layer migrate generate` from the table definitions.\n\nDROP TABLE invoices;\n',
    );
    expect(plan.sql.sqlite.down).toMatch(/PRAGMA foreign_keys = OFF;\n\nDROP TABLE invoices;\n$/);
  });

  it('writes a row level security stub for an owner column, and its down', () => {
    const { up, down } = rlsOwnerSql({ table: 'invoices', column: 'user_id' });
    expect(up).toContain('ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;');
    expect(up).toContain(
      'CREATE POLICY invoices_select_own ON invoices\n  FOR SELECT TO authenticated\n  USING (user_id = (SELECT auth.uid()));',
    );
    expect(up).toContain(
      'CREATE POLICY invoices_update_own ON invoices\n  FOR UPDATE TO authenticated\n  USING (user_id = (SELECT auth.uid()))\n  WITH CHECK (user_id = (SELECT auth.uid()));',
    );
    expect(down).toBe(
      'DROP POLICY invoices_update_own ON invoices;\nDROP POLICY invoices_select_own ON invoices;\nALTER TABLE invoices DISABLE ROW LEVEL SECURITY;',
    );
  });
});
