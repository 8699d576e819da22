import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { runMigrateCommand } from '../../src/cli/migrate-command';
import { MIGRATION_LOCK_KEY } from '../../src/migrations';
import { createTestDatabase, describeWithPostgres } from '../support/postgres';
import { tempDir, writeMigration, type TempDir } from './support/migration-fixtures';

describe('migrate command', () => {
  let dir: TempDir;
  let files: TempDir;
  let out: string[];
  let err: string[];

  const run = (args: string[], env: Record<string, string> = {}) =>
    runMigrateCommand(args, {
      env: {
        DATABASE_PROVIDER: 'sqlite',
        SQLITE_PATH: join(dir.path, 'nested', 'db.sqlite'),
        ...env,
      },
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
      directory: files.path,
    });

  beforeEach(() => {
    dir = tempDir('cli');
    files = tempDir('cli-files');
    writeMigration(files, '0001_create_a', 'CREATE TABLE a (id INTEGER);', 'DROP TABLE a;');
    writeMigration(files, '0002_create_b', 'CREATE TABLE b (id INTEGER);', 'DROP TABLE b;');
    out = [];
    err = [];
  });

  afterEach(() => {
    dir.remove();
    files.remove();
  });

  it('up creates the SQLite file, prints a line per migration and a summary, and exits 0', async () => {
    await expect(run(['up'])).resolves.toBe(0);

    expect(existsSync(join(dir.path, 'nested', 'db.sqlite'))).toBe(true);
    expect(out[0]).toBe(`Database: sqlite ${join(dir.path, 'nested', 'db.sqlite')}`);
    expect(out.slice(1, 3)).toEqual([
      expect.stringMatching(/^applied +0001_create_a \(.* ms\)$/),
      expect.stringMatching(/^applied +0002_create_b \(.* ms\)$/),
    ]);
    expect(out[3]).toBe('Applied 2 migrations.');
    expect(err).toEqual([]);
  });

  it('status lists each migration with its state', async () => {
    await run(['up']);
    await run(['down']);
    out = [];

    await expect(run(['status'])).resolves.toBe(0);
    expect(out.slice(1)).toEqual([
      expect.stringMatching(/^applied +0001_create_a {2}\d{4}-.*Z$/),
      'pending  0002_create_b',
    ]);
  });

  it('down n reverts n migrations; up on an up-to-date database says so', async () => {
    await run(['up']);
    out = [];
    await expect(run(['up'])).resolves.toBe(0);
    expect(out.slice(1)).toEqual(['Nothing to apply: the database is up to date.']);

    out = [];
    await expect(run(['down', '2'])).resolves.toBe(0);
    expect(out.slice(-1)).toEqual(['Reverted 2 migrations.']);
    const db = new Database(join(dir.path, 'nested', 'db.sqlite'));
    try {
      expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });

  it('exits 1 with the error when a migration fails, and status exits 1 when a file changed', async () => {
    writeMigration(files, '0003_broken', 'CREATE TABLE nope (;', 'SELECT 1;');
    await expect(run(['up'])).resolves.toBe(1);
    expect(err[0]).toMatch(/^error: Migration 0003_broken failed to apply/);

    files.write('0001_create_a.up.sql', 'CREATE TABLE a (id INTEGER, x TEXT);');
    out = [];
    await expect(run(['status'])).resolves.toBe(1);
    expect(out).toContainEqual(expect.stringMatching(/^changed +0001_create_a /));
  });

  it.each([[['sideways']], [['down', 'two']], [['down', '0']], [['up', 'extra']]])(
    'exits 2 with the usage for %j',
    async (args) => {
      await expect(run(args)).resolves.toBe(2);
      expect(err.some((line) => line.startsWith('Usage:'))).toBe(true);
    },
  );

  it('prints the usage and exits 0 for help', async () => {
    await expect(run(['--help'])).resolves.toBe(0);
    expect(out[0]).toMatch(/^Usage:/);
  });

  it('migrates a PGlite directory: up, then status on a new PGlite instance sees it applied', async () => {
    const env = { DATABASE_PROVIDER: 'pglite', PGLITE_PATH: join(dir.path, 'pglite') };
    await expect(run(['up'], env)).resolves.toBe(0);
    expect(out.at(-1)).toMatch(/Applied 2 migrations/);
    out = [];
    await expect(run(['status'], env)).resolves.toBe(0);
    expect(out.join('\n')).toMatch(/0002.*create_b/);
    expect(out.join('\n')).not.toMatch(/pending/i);
  }, 60_000);

  it('exits 2 when the provider is unknown or Postgres has no DATABASE_URL', async () => {
    await expect(run(['status'], { DATABASE_PROVIDER: 'oracle' })).resolves.toBe(2);
    expect(err.pop()).toMatch(/DATABASE_PROVIDER=oracle is not one of/);
    await expect(run(['status'], { DATABASE_PROVIDER: 'postgres' })).resolves.toBe(2);
    expect(err.pop()).toMatch(/needs DATABASE_URL/);
  });
});

describeWithPostgres('migrate command on Postgres', () => {
  it('applies the shipped migrations through DATABASE_URL without printing the password', async () => {
    const database = await createTestDatabase('cli');
    const url = new URL(database.url);
    url.password = 'not-printed';
    const out: string[] = [];
    try {
      const code = await runMigrateCommand(['up'], {
        // Trust authentication ignores the password; it is there to prove it is never printed.
        env: { DATABASE_PROVIDER: 'postgres', DATABASE_URL: url.toString() },
        stdout: (line) => out.push(line),
        stderr: (line) => out.push(line),
      });
      expect(code).toBe(0);
      expect(out[0]).toMatch(/^Database: postgres /);
      expect(out.filter((line) => line.startsWith('applied'))).toHaveLength(out.length - 2);
      expect(out.join('\n')).not.toContain('not-printed');
    } finally {
      await database.drop();
    }
  });

  it('says it waits while another process holds the migration lock, naming its pid', async () => {
    const database = await createTestDatabase('cli_lock');
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    const out: string[] = [];
    let announced!: () => void;
    const waiting = new Promise<void>((resolve) => (announced = resolve));
    const print = (line: string) => {
      out.push(line);
      if (line.includes('waiting for the migration lock')) announced();
    };
    try {
      const pid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      const run = runMigrateCommand(['up'], {
        env: { DATABASE_PROVIDER: 'postgres', DATABASE_URL: database.url },
        stdout: print,
        stderr: print,
      });
      await waiting;
      expect(out).toContainEqual(
        expect.stringMatching(new RegExp(`^waiting for the migration lock held by pid ${pid} `)),
      );
      expect(out.filter((line) => line.startsWith('applied'))).toEqual([]);
      await holder.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
      await expect(run).resolves.toBe(0);
      expect(out.at(-1)).toMatch(/^Applied \d+ migrations\.$/);
    } finally {
      await holder.end();
      await database.drop();
    }
  });
});
