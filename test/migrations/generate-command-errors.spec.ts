import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runMigrateCommand } from '../../src/cli/migrate-command';
import type { ColumnOptions } from '../../src/schema';
import { writeSchemaModule, type TableSource } from './support/generate-fixtures';
import { tempDir, type TempDir } from './support/migration-fixtures';

const invoiceColumns: Record<string, ColumnOptions> = {
  userId: { type: 'uuid', references: { table: 'users', onDelete: 'cascade' } },
  number: { type: 'string', length: 32 },
};

describe('migrate generate, when it cannot', () => {
  let app: TempDir;
  let out: string[];
  let err: string[];
  const run = (args: string[]) => {
    out = [];
    err = [];
    return runMigrateCommand(['generate', ...args], {
      env: {},
      cwd: app.path,
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
    });
  };
  const table: TableSource = { name: 'invoices', columns: invoiceColumns };

  beforeEach(() => {
    app = tempDir('generate-errors');
  });
  afterEach(() => app.remove());

  it('needs a schema module and a migrations folder (exit 2)', async () => {
    await expect(run(['create', '--dir', 'migrations'])).resolves.toBe(2);
    expect(err[0]).toMatch(/^error: No schema module: pass --schema/);
    const schema = writeSchemaModule(app.path, 'v1', [table]);
    await expect(run(['create', '--schema', schema])).resolves.toBe(2);
    expect(err[0]).toMatch(/^error: No app migrations folder/);
    await expect(run(['--dir', 'migrations', '--schema', schema])).resolves.toBe(2);
    expect(err[0]).toBe('error: generate takes one migration name');
  });

  it('refuses a module that exports no table, or does not load (exit 2)', async () => {
    app.write('empty.js', 'exports.answer = 42;');
    await expect(run(['create', '--dir', 'm', '--schema', 'empty.js'])).resolves.toBe(2);
    expect(err[0]).toMatch(/empty\.js exports no table definition/);
    app.write('broken.js', "throw new Error('boom');");
    await expect(run(['create', '--dir', 'm', '--schema', 'broken.js'])).resolves.toBe(2);
    expect(err[0]).toMatch(/Cannot load the schema module .*broken\.js: boom\. .*compile the app/);
  });

  it('reads the folder and module from package.json, skipping the library’s own tables', async () => {
    writeSchemaModule(app.path, 'app', [table]);
    app.write(
      'schema.js',
      `module.exports = { ...require('./schema-app.js'), users: require(${JSON.stringify(
        join(__dirname, '../../src/schema'),
      )}).usersTable };`,
    );
    app.write(
      'package.json',
      JSON.stringify({ nestDataLayer: { migrations: ['db/migrations'], schema: 'schema.js' } }),
    );
    await expect(run(['create_invoices'])).resolves.toBe(0);
    expect(out[0]).toBe("= table users is the library's own (its migrations create it): skipped");
    expect(out[1]).toBe('+ table invoices');
    expect(readdirSync(join(app.path, 'db', 'migrations')).sort()).toEqual([
      'postgres',
      'schema-snapshot.json',
      'sqlite',
    ]);
  });

  it('refuses an --rls-owner that is no uuid column, and a Supabase migration named init', async () => {
    const schema = writeSchemaModule(app.path, 'v1', [table]);
    await expect(
      run(['create', '--dir', 'm', '--schema', schema, '--rls-owner', 'invoices.number']),
    ).resolves.toBe(2);
    expect(err[0]).toMatch(/--rls-owner takes <table>\.<column>, a uuid column/);
    await expect(run(['init', '--dir', 'm', '--schema', schema, '--supabase'])).resolves.toBe(2);
    expect(err[0]).toMatch(/Supabase CLI skips a migration named init/);
    await expect(run(['bad name!', '--dir', 'm', '--schema', schema])).resolves.toBe(2);
    expect(err[0]).toMatch(/letters, digits, _ and -/);
    expect(existsSync(join(app.path, 'm'))).toBe(false);
  });

  it('refuses a NOT NULL column without a default on an existing table (exit 1)', async () => {
    await run(['create', '--dir', 'm', '--schema', writeSchemaModule(app.path, 'v1', [table])]);
    const v2 = writeSchemaModule(app.path, 'v2', [
      { name: 'invoices', columns: { ...invoiceColumns, dueAt: { type: 'timestamp' } } },
    ]);
    await expect(run(['add_due', '--dir', 'm', '--schema', v2])).resolves.toBe(1);
    expect(err[0]).toMatch(/invoices\.due_at as NOT NULL without a default/);
    expect(readdirSync(join(app.path, 'm', 'sqlite'))).toHaveLength(2);
  });
});
