import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runMigrateCommand } from '../../src/cli/migrate-command';
import { BaseRepository } from '../../src/repositories/base.repository';
import type { ColumnOptions } from '../../src/schema';
import { loadTableDefinitions } from '../../src/schema-model';
import { postgresSkipReason } from '../support/postgres';
import {
  insertUser,
  pgliteTarget,
  postgresTarget,
  sqliteTarget,
  writeSchemaModule,
  type MigrationTarget,
  type TableSource,
} from './support/generate-fixtures';
import { tempDir, type TempDir } from './support/migration-fixtures';

/** The definition versions an app goes through, one generated migration each. */
const invoiceColumns: Record<string, ColumnOptions> = {
  userId: { type: 'uuid', references: { table: 'users', onDelete: 'cascade' } },
  number: { type: 'string', length: 32 },
  status: { type: 'string', enum: ['draft', 'sent'], default: 'draft' },
  amountCents: { type: 'integer' },
  paid: { type: 'boolean', default: false },
};
const lines: TableSource = {
  name: 'invoice_lines',
  columns: { invoiceId: { type: 'uuid', references: { table: 'invoices', onDelete: 'cascade' } } },
};
const versions: { name: string; columns: Record<string, ColumnOptions> }[] = [
  { name: 'create_invoices', columns: invoiceColumns },
  { name: 'add_note', columns: { ...invoiceColumns, note: { type: 'text', nullable: true } } },
  {
    name: 'add_currency',
    columns: {
      ...invoiceColumns,
      note: { type: 'text', nullable: true },
      currency: { type: 'string', default: 'usd' },
    },
  },
];
const withNote = (extra: Record<string, ColumnOptions> = {}) => ({
  ...invoiceColumns,
  note: { type: 'text', default: '' } as ColumnOptions,
  currency: { type: 'string', default: 'usd' } as ColumnOptions,
  ...extra,
});
const indexed: Record<string, ColumnOptions> = {
  status: { type: 'string', enum: ['draft', 'sent'], default: 'draft', index: true },
  reference: { type: 'string', nullable: true, unique: true },
};
versions.push(
  { name: 'require_note', columns: withNote() },
  { name: 'index_status_add_reference', columns: withNote(indexed) },
  {
    name: 'add_paid_status',
    columns: withNote({
      ...indexed,
      status: { type: 'string', enum: ['draft', 'sent', 'paid'], default: 'draft', index: true },
    }),
  },
);
const { paid: _paid, ...withoutPaid } = versions[5].columns;
versions.push({ name: 'drop_paid', columns: withoutPaid });

const engines = [
  'SQLite',
  'PGlite',
  postgresSkipReason ? `not PostgreSQL: ${postgresSkipReason}` : 'PostgreSQL',
];

describe(`migrate generate, applied on ${engines.join(', ')}`, () => {
  let app: TempDir;
  let root: string;
  let out: string[];
  let err: string[];
  const targets: MigrationTarget[] = [];
  const libraryTables = new Map<string, string[]>();
  let userIds: Map<string, string>;

  const generate = (name: string, schema: string, flags: string[] = []) => {
    out = [];
    err = [];
    return runMigrateCommand(['generate', name, '--dir', root, '--schema', schema, ...flags], {
      env: {},
      cwd: app.path,
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
    });
  };
  const filesIn = (folder: string) => (existsSync(folder) ? readdirSync(folder).sort() : []);
  const schemaOf = (n: number) =>
    writeSchemaModule(app.path, `v${n}`, [
      { name: 'invoices', columns: versions[n].columns },
      lines,
    ]);

  beforeAll(async () => {
    app = tempDir('generate-app');
    root = join(app.path, 'migrations');
    targets.push(sqliteTarget(app.path, root), await pgliteTarget(root));
    if (postgresSkipReason === undefined) targets.push(await postgresTarget(root));
    for (const target of targets) {
      await target.runner().up();
      libraryTables.set(target.name, await target.probe.tables());
    }
    userIds = new Map();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(targets.map((t) => t.close()));
    app.remove();
  });

  it('creates the tables, a Supabase copy and an RLS stub: a line per change and per file', async () => {
    const flags = ['--supabase', '--rls-owner', 'invoices.user_id'];
    await expect(generate('create_invoices', schemaOf(0), flags)).resolves.toBe(0);
    expect(err).toEqual([]);
    expect(out.slice(0, 3)).toEqual([
      '+ table invoices',
      '+ table invoice_lines',
      '+ row level security on invoices (owner user_id)',
    ]);
    const version = /(\d{14})_/.exec(out[3])![1];
    expect(out.slice(3)).toEqual([
      `wrote migrations/sqlite/${version}_create_invoices.up.sql`,
      `wrote migrations/sqlite/${version}_create_invoices.down.sql`,
      `wrote migrations/postgres/${version}_create_invoices.up.sql`,
      `wrote migrations/postgres/${version}_create_invoices.down.sql`,
      `wrote supabase/migrations/${version}_create_invoices.sql`,
      'wrote migrations/schema-snapshot.json',
    ]);
    const postgresUp = readFileSync(
      join(root, 'postgres', `${version}_create_invoices.up.sql`),
      'utf8',
    );
    expect(
      readFileSync(
        join(app.path, 'supabase', 'migrations', `${version}_create_invoices.sql`),
        'utf8',
      ),
    ).toBe(postgresUp);
    expect(postgresUp).toContain('ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;');
    for (const target of targets) {
      expect(await target.runner().up()).toHaveLength(1);
      const userId = await insertUser(target);
      const invoiceId = randomUUID();
      const now = new Date().toISOString();
      const stamps = { created_at: now, updated_at: now };
      await target.probe.insert('invoices', {
        id: invoiceId,
        user_id: userId,
        number: 'A-1',
        status: 'sent',
        amount_cents: 100,
        ...stamps,
      });
      await target.probe.insert('invoice_lines', {
        id: randomUUID(),
        invoice_id: invoiceId,
        ...stamps,
      });
      userIds.set(target.name, userId);
      if (target.dialect === 'postgres') {
        const policies = await target.rows(
          "SELECT policyname FROM pg_policies WHERE tablename = 'invoices' ORDER BY 1",
        );
        expect(policies).toEqual([
          { policyname: 'invoices_select_own' },
          { policyname: 'invoices_update_own' },
        ]);
      }
    }
  });

  it.each([1, 2, 3, 4, 5])('version %i applies on every engine, rows kept', async (n) => {
    await expect(generate(versions[n].name, schemaOf(n))).resolves.toBe(0);
    expect(err).toEqual([]);
    for (const target of targets) {
      expect((await target.runner().up()).map((r) => r.name)).toEqual([versions[n].name]);
      // A SQLite rebuild of invoices must not take its lines with it (ON DELETE CASCADE).
      expect(await target.rows('SELECT id FROM invoice_lines')).toHaveLength(1);
      const [invoice] = await target.rows('SELECT * FROM invoices');
      if (n >= 3) expect(invoice).toMatchObject({ note: '', currency: 'usd' });
    }
  });

  it('refuses the drop without --allow-drop, writing nothing', async () => {
    const before = [filesIn(join(root, 'sqlite')), filesIn(join(root, 'postgres'))];
    const snapshot = readFileSync(join(root, 'schema-snapshot.json'), 'utf8');
    await expect(generate('drop_paid', schemaOf(6))).resolves.toBe(1);
    expect(err[0]).toBe('error: These changes drop data, refused without --allow-drop:');
    expect(err).toContain('  - column invoices.paid');
    expect(err.join('\n')).toMatch(/rename is never guessed/);
    expect([filesIn(join(root, 'sqlite')), filesIn(join(root, 'postgres'))]).toEqual(before);
    expect(readFileSync(join(root, 'schema-snapshot.json'), 'utf8')).toBe(snapshot);
  });

  it('drops it with --allow-drop; the same definitions again are "No changes"', async () => {
    await expect(generate('drop_paid', schemaOf(6), ['--allow-drop'])).resolves.toBe(0);
    expect(out[0]).toBe('- column invoices.paid');
    for (const target of targets) {
      expect((await target.runner().up()).map((r) => r.name)).toEqual(['drop_paid']);
      const columns = (await target.probe.columns('invoices')).map((c) => c.name);
      expect(columns).not.toContain('paid');
      expect(columns).toContain('reference');
    }
    const written = filesIn(join(root, 'sqlite'));
    await expect(generate('again', schemaOf(6))).resolves.toBe(0);
    expect(out).toEqual(['No changes: the tables match migrations/schema-snapshot.json.']);
    expect(filesIn(join(root, 'sqlite'))).toEqual(written);
    // Versions are distinct and in order although generated within seconds.
    const stamps = written.filter((f) => f.endsWith('.up.sql')).map((f) => f.slice(0, 14));
    expect(new Set(stamps).size).toBe(versions.length);
    expect([...stamps].sort()).toEqual(stamps);
  });

  it('an adapter boots on the final schema and a repository writes and reads through it', async () => {
    const [invoices] = loadTableDefinitions(schemaOf(6));
    for (const target of targets) {
      const adapter = await target.adapter();
      const repository = new (class extends BaseRepository<any> {
        protected readonly table = invoices;
      })(adapter);
      const created = await repository.create({
        userId: userIds.get(target.name),
        number: 'A-2',
        status: 'paid',
        amountCents: 250,
        note: 'second',
        currency: 'eur',
        reference: 'R-2',
      });
      expect(await repository.findById(created.id)).toMatchObject({
        number: 'A-2',
        status: 'paid',
        note: 'second',
        reference: 'R-2',
      });
      await repository.hardDelete(created.id);
      // The index and the partial unique index are there, by shape.
      const indexes = await target.probe.indexes('invoices');
      expect(indexes).toContainEqual(
        expect.objectContaining({
          columns: ['reference'],
          unique: true,
          predicate: 'deleted_at is null',
        }),
      );
      expect(indexes).toContainEqual(
        expect.objectContaining({ columns: ['status'], unique: false }),
      );
    }
  });

  it('every down reverts: back to the library’s tables only', async () => {
    for (const target of targets) {
      const reverted = await target.runner().down(versions.length);
      expect(reverted.map((r) => r.name)).toEqual(versions.map((v) => v.name).reverse());
      expect(await target.probe.tables()).toEqual(libraryTables.get(target.name));
      expect(await target.rows('SELECT id FROM users')).toHaveLength(1);
    }
  });
});
