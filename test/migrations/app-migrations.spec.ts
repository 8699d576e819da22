import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runMigrateCommand } from '../../src/cli/migrate-command';
import { SQLiteAdapter } from '../../src/adapters/sqlite/sqlite.adapter';
import { PostgresAdapter } from '../../src/adapters/postgres/postgres.adapter';
import { createTestDatabase, describeWithPostgres } from '../support/postgres';
import {
  SHIPPED_SQLITE_MIGRATIONS,
  tempDir,
  writeMigration,
  type TempDir,
} from './support/migration-fixtures';

/** The library's SQLite migrations and the app's one. */
const ALL = SHIPPED_SQLITE_MIGRATIONS + 1;

/** An app's migration root with `sqlite/` and `postgres/` holding one `invoices` migration. */
function appRoot(): TempDir {
  const root = tempDir('app-migrations');
  for (const dialect of ['sqlite', 'postgres']) {
    mkdirSync(join(root.path, dialect));
    const folder = { ...root, path: join(root.path, dialect) };
    folder.write = (name, text) => root.write(join(dialect, name), text);
    writeMigration(
      folder,
      '20261205120000_create_invoices',
      'CREATE TABLE invoices (id TEXT PRIMARY KEY, number TEXT NOT NULL);',
      'DROP TABLE invoices;',
    );
  }
  return root;
}

describe("an app's migration folders beside the library's", () => {
  let dir: TempDir;
  let app: TempDir;
  let out: string[];
  let err: string[];
  const sqlitePath = () => join(dir.path, 'db', 'app.sqlite');
  const run = (args: string[]) =>
    runMigrateCommand(args, {
      env: { DATABASE_PROVIDER: 'sqlite', SQLITE_PATH: sqlitePath() },
      cwd: dir.path,
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
    });

  beforeEach(() => {
    dir = tempDir('app-cli');
    app = appRoot();
    out = [];
    err = [];
  });
  afterEach(() => {
    dir.remove();
    app.remove();
  });

  it('status lists both as pending without creating the database file or its folder', async () => {
    await expect(run(['status', '--dir', app.path])).resolves.toBe(0);
    expect(out[0]).toMatch(/does not exist yet/);
    expect(out).toContainEqual('pending  0001_create_users');
    expect(out.at(-1)).toBe('pending  20261205120000_create_invoices');
    expect(existsSync(join(dir.path, 'db'))).toBe(false);
  });

  it('up --dry-run prints the pending SQL and applies nothing', async () => {
    await expect(run(['up', '--dry-run', `--dir=${app.path}`])).resolves.toBe(0);
    expect(out.join('\n')).toContain('CREATE TABLE invoices');
    expect(out.at(-1)).toBe(`-- dry run: ${ALL} pending, nothing applied.`);
    out = [];
    await run(['status', '--dir', app.path]);
    expect(out.filter((line) => line.startsWith('applied'))).toEqual([]);
  });

  it('up applies the library’s and the app’s, merged by version, each with its duration', async () => {
    await expect(run(['up', '--dir', app.path])).resolves.toBe(0);
    expect(out).toContainEqual(
      expect.stringMatching(/^applied +20261205120000_create_invoices \(\d+(\.\d)? ms\)$/),
    );
    expect(out.at(-1)).toBe(`Applied ${ALL} migrations.`);
  });

  it('reads the folders from the nestDataLayer field of the app’s package.json', async () => {
    dir.write('package.json', JSON.stringify({ nestDataLayer: { migrations: [app.path] } }));
    await expect(run(['up'])).resolves.toBe(0);
    expect(out.at(-1)).toBe(`Applied ${ALL} migrations.`);
  });

  it('refuses one version in two folders, naming both files', async () => {
    const other = appRoot();
    try {
      await expect(run(['up', '--dir', app.path, '--dir', other.path])).resolves.toBe(1);
      expect(err[0]).toMatch(
        /Version 20261205120000 is used by 20261205120000_create_invoices in .* and by .* in /,
      );
    } finally {
      other.remove();
    }
  });

  it('boots an adapter with the app’s folders: no MIGRATION_MISSING on the next boot', async () => {
    for (let boot = 0; boot < 2; boot++) {
      const adapter = await SQLiteAdapter.open({
        path: sqlitePath().replace('db/', ''),
        appMigrationsDirectories: [app.path],
      });
      const names = adapter.connection
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'invoices'")
        .all();
      expect(names).toHaveLength(1);
      await adapter.close();
    }
  });

  it('the compiled bin answers status without compiling TypeScript', () => {
    const bin = resolve(__dirname, '../../dist/cli/main.js');
    if (!existsSync(bin))
      execFileSync('npm', ['run', '-s', 'build'], { cwd: resolve(__dirname, '../..') });
    const output = execFileSync(process.execPath, [bin, 'migrate', 'status', '--dir', app.path], {
      cwd: dir.path,
      env: { ...process.env, DATABASE_PROVIDER: 'sqlite', SQLITE_PATH: sqlitePath() },
    }).toString();
    expect(output).toMatch(/pending +20261205120000_create_invoices/);
  });
});

describeWithPostgres("an app's migrations on PostgreSQL", () => {
  it('boot applies both and the CLI names the database, never the password', async () => {
    const database = await createTestDatabase('app_migrations');
    const app = appRoot();
    const url = new URL(database.url);
    url.password = 'not-printed';
    try {
      const adapter = await PostgresAdapter.open({
        connectionString: database.url,
        migrate: true,
        appMigrationsDirectories: [app.path],
      });
      await adapter.close();
      const out: string[] = [];
      const code = await runMigrateCommand(['status', '--dir', app.path], {
        env: { DATABASE_PROVIDER: 'postgres', DATABASE_URL: url.toString() },
        stdout: (line) => out.push(line),
        stderr: (line) => out.push(line),
      });
      expect(code).toBe(0);
      expect(out[0]).toBe(`Database: postgres 127.0.0.1:5432/${database.name}`);
      expect(out.at(-1)).toMatch(/^applied +20261205120000_create_invoices/);
      expect(out.join('\n')).not.toContain('not-printed');
    } finally {
      app.remove();
      await database.drop();
    }
  });
});
