import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { runMigrateCommand } from '../../src/cli/migrate-command';
import { createTestDatabase, postgresSkipReason, type TestDatabase } from '../support/postgres';
import { tempDir, type TempDir } from './support/migration-fixtures';

const SCHEMA = resolve(__dirname, '../../src/schema');

/** The app's `invoices` table, declared once, as a compiled schema module would export it. */
const schemaModule = (noteNullable: boolean, extra = '') => `
const { defineTable } = require(${JSON.stringify(SCHEMA)});
exports.invoicesTable = defineTable({
  name: 'invoices',
  columns: {
    userId: { type: 'uuid', references: { table: 'users', onDelete: 'cascade' } },
    number: { type: 'string', unique: true, length: 32 },
    amountCents: { type: 'integer' },
    note: { type: 'text', nullable: ${noteNullable} },
  },
});
exports.notATable = { name: 'x' };
${extra}`;

const REFUNDS = `exports.refundsTable = defineTable({ name: 'refunds', columns: { reason: { type: 'text' } } });`;

/** The app's migration of invoices, as the library's conventions write it. */
const INVOICES: Record<'sqlite' | 'postgres', [string, string]> = {
  sqlite: [
    `CREATE TABLE invoices (
      id TEXT NOT NULL PRIMARY KEY,
      user_id TEXT NOT NULL,
      number TEXT NOT NULL,
      amount_cents INTEGER NOT NULL,
      note TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      deleted_at TEXT,
      CONSTRAINT invoices_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
    ) STRICT;`,
    'DROP TABLE invoices;',
  ],
  postgres: [
    `CREATE TABLE invoices (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      number varchar(32) COLLATE "C" NOT NULL,
      amount_cents integer NOT NULL,
      note text COLLATE "C",
      created_at timestamptz(3) NOT NULL DEFAULT now(),
      updated_at timestamptz(3) NOT NULL DEFAULT now(),
      deleted_at timestamptz(3)
    );`,
    'DROP TABLE invoices;',
  ],
};

const INDEXES = `
CREATE UNIQUE INDEX invoices_number_key ON invoices (number) WHERE deleted_at IS NULL;
CREATE INDEX invoices_user_id_created_at_idx ON invoices (user_id, created_at, id);
CREATE INDEX invoices_created_at_id_idx ON invoices (created_at, id);
CREATE INDEX invoices_deleted_at_idx ON invoices (deleted_at);`;

/** A database the test checks: its environment for the CLI, and a way to change it by hand. */
interface Target {
  env: Record<string, string>;
  exec(sql: string): Promise<void>;
  drop(): Promise<void>;
}

const TARGETS: Record<'sqlite' | 'postgres', (dir: TempDir) => Promise<Target>> = {
  sqlite: async (dir) => {
    const path = join(dir.path, 'app.sqlite');
    return {
      env: { DATABASE_PROVIDER: 'sqlite', SQLITE_PATH: path },
      exec: async (sql) => {
        const db = new Database(path);
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      },
      drop: async () => undefined,
    };
  },
  postgres: async () => {
    const database: TestDatabase = await createTestDatabase('check');
    const url = new URL(database.url);
    // Trust authentication ignores it: it is there to show it is never printed.
    url.password = 'secret-password';
    return {
      env: { DATABASE_PROVIDER: 'postgres', DATABASE_URL: url.toString() },
      exec: async (sql) => {
        const client = new Client({ connectionString: database.url });
        await client.connect();
        try {
          await client.query(sql);
        } finally {
          await client.end();
        }
      },
      drop: () => database.drop(),
    };
  },
};

describe.each(['sqlite', 'postgres'] as const)('migrate check on %s', (dialect) => {
  const skip = dialect === 'postgres' && postgresSkipReason !== undefined;
  let dir: TempDir;
  let app: TempDir;
  let target: Target;
  let out: string[];

  const run = (args: string[]) =>
    runMigrateCommand(args, {
      env: target.env,
      cwd: dir.path,
      stdout: (line) => out.push(line),
      stderr: (line) => out.push(line),
    });
  const check = (schema = 'schema.js') =>
    run(['check', '--dir', app.path, '--schema', join(dir.path, schema)]);

  beforeEach(async () => {
    if (skip) return;
    dir = tempDir('check');
    app = tempDir('check-app');
    mkdirSync(join(app.path, dialect));
    const [up, down] = INVOICES[dialect];
    app.write(join(dialect, '20261205120000_create_invoices.up.sql'), up + INDEXES);
    app.write(join(dialect, '20261205120000_create_invoices.down.sql'), down);
    dir.write('schema.js', schemaModule(true));
    target = await TARGETS[dialect](dir);
    out = [];
  });

  afterEach(async () => {
    if (skip) return;
    await target.drop();
    dir.remove();
    app.remove();
  });

  const maybe = skip ? it.skip : it;

  maybe('a freshly migrated database has no drift, the library’s tables included', async () => {
    await expect(run(['up', '--dir', app.path])).resolves.toBe(0);
    out = [];
    await expect(check()).resolves.toBe(0);
    expect(out[0]).toMatch(new RegExp(`^Database: ${dialect} `));
    expect(out.slice(1)).toEqual(['No drift: 5 tables match their definitions.']);
    expect(out.join('\n')).not.toContain('secret-password');
  });

  maybe('names a column dropped by hand, and exits 1', async () => {
    await run(['up', '--dir', app.path]);
    await target.exec('ALTER TABLE invoices DROP COLUMN note');
    out = [];
    await expect(check()).resolves.toBe(1);
    expect(out).toContainEqual(expect.stringMatching(/^drift +invoices\.note: missing column/));
    expect(out.at(-1)).toBe('Drift: 1 difference between the database and the table definitions.');
  });

  maybe('names an index dropped by hand, by its shape', async () => {
    await run(['up', '--dir', app.path]);
    await target.exec('DROP INDEX invoices_number_key');
    out = [];
    await expect(check()).resolves.toBe(1);
    expect(out).toContainEqual(
      'drift    invoices: missing unique index (number) WHERE deleted_at IS NULL (generated as invoices_number_key)',
    );
  });

  maybe('names a nullability that differs from the definition', async () => {
    await run(['up', '--dir', app.path]);
    dir.write('strict.js', schemaModule(false));
    out = [];
    await expect(check('strict.js')).resolves.toBe(1);
    expect(out).toContainEqual(
      'drift    invoices.note: nullable in the database, NOT NULL in the definition',
    );
  });

  maybe('a table defined but not migrated is a missing table', async () => {
    await run(['up', '--dir', app.path]);
    dir.write('more.js', schemaModule(true, REFUNDS));
    out = [];
    await expect(check('more.js')).resolves.toBe(1);
    expect(out).toContainEqual('drift    refunds: missing table (defined, not in the database)');
  });

  maybe('reports pending migrations and exits 1', async () => {
    await run(['up']);
    out = [];
    await expect(check()).resolves.toBe(1);
    expect(out).toContainEqual('pending  20261205120000_create_invoices');
    expect(out).toContainEqual(
      'Pending: 1 migration not applied; run "nest-data-layer migrate up".',
    );
  });

  maybe('names a migration edited after it was applied', async () => {
    await run(['up', '--dir', app.path]);
    app.write(join(dialect, '20261205120000_create_invoices.up.sql'), '-- edited\n');
    out = [];
    await expect(check()).resolves.toBe(1);
    expect(out[1]).toBe(
      'changed  20261205120000_create_invoices: applied, but its up file was edited since',
    );
    expect(out).toContainEqual(
      'The migration history disagrees with the files: run "nest-data-layer migrate status".',
    );
  });

  maybe(
    'an unknown NOT NULL column without a default is drift; a nullable one a warning',
    async () => {
      await run(['up', '--dir', app.path]);
      await target.exec('ALTER TABLE invoices ADD COLUMN memo TEXT');
      out = [];
      await expect(check()).resolves.toBe(0);
      expect(out).toContainEqual(
        expect.stringMatching(/^warning +invoices\.memo: unexpected column \(text\)/i),
      );
      await target.exec(
        dialect === 'sqlite'
          ? // SQLite adds a NOT NULL column only with a default, which inserts then get.
            'ALTER TABLE invoices ADD COLUMN code INTEGER NOT NULL DEFAULT 0'
          : 'ALTER TABLE invoices ADD COLUMN code integer NOT NULL',
      );
      out = [];
      await expect(check()).resolves.toBe(dialect === 'sqlite' ? 0 : 1);
      if (dialect === 'postgres') {
        expect(out).toContainEqual(expect.stringMatching(/invoices\.code: .*every insert/));
      }
    },
  );
});

it('migrate check reads PGlite as PostgreSQL: a freshly migrated directory has no drift', async () => {
  const dir = tempDir('check-pglite');
  const app = tempDir('check-pglite-app');
  const out: string[] = [];
  try {
    mkdirSync(join(app.path, 'postgres'));
    app.write('postgres/20261205120000_create_invoices.up.sql', INVOICES.postgres[0] + INDEXES);
    app.write('postgres/20261205120000_create_invoices.down.sql', INVOICES.postgres[1]);
    dir.write('schema.js', schemaModule(true));
    const io = {
      env: { DATABASE_PROVIDER: 'pglite', PGLITE_PATH: join(dir.path, 'pglite') },
      cwd: dir.path,
      stdout: (line: string) => out.push(line),
      stderr: (line: string) => out.push(line),
    };
    await expect(runMigrateCommand(['up', '--dir', app.path], io)).resolves.toBe(0);
    out.length = 0;
    const args = ['check', '--dir', app.path, '--schema', 'schema.js'];
    await expect(runMigrateCommand(args, io)).resolves.toBe(0);
    expect(out).toEqual([
      `Database: pglite ${join(dir.path, 'pglite')}`,
      'No drift: 5 tables match their definitions.',
    ]);
  } finally {
    dir.remove();
    app.remove();
  }
}, 60_000);

describe('migrate check without a database or a schema module', () => {
  let dir: TempDir;
  let out: string[];
  const path = () => join(dir.path, 'db', 'app.sqlite');
  const run = (args: string[]) =>
    runMigrateCommand(['check', ...args], {
      env: { DATABASE_PROVIDER: 'sqlite', SQLITE_PATH: path() },
      cwd: dir.path,
      stdout: (line) => out.push(line),
      stderr: (line) => out.push(line),
    });

  beforeEach(() => {
    dir = tempDir('check-none');
    out = [];
  });
  afterEach(() => dir.remove());

  it('never creates the SQLite file: every migration is pending, exit 1', async () => {
    await expect(run([])).resolves.toBe(1);
    expect(out).toContainEqual(expect.stringMatching(/does not exist yet/));
    expect(out.at(-1)).toMatch(/^Pending: \d+ migrations not applied/);
    expect(existsSync(join(dir.path, 'db'))).toBe(false);
  });

  it('checks the library’s tables alone when no schema module is configured', async () => {
    await runMigrateCommand(['up'], {
      env: { DATABASE_PROVIDER: 'sqlite', SQLITE_PATH: path() },
      stdout: () => undefined,
      stderr: () => undefined,
    });
    await expect(run([])).resolves.toBe(0);
    expect(out[1]).toMatch(/^No schema module/);
    expect(out.at(-1)).toBe('No drift: 4 tables match their definitions.');
  });

  it('exits 2 naming a schema module that does not load or exports no table', async () => {
    await expect(run(['--schema', 'missing.js'])).resolves.toBe(2);
    expect(out.at(-1)).toMatch(/Cannot load the schema module .*missing\.js/);
    dir.write('empty.js', 'exports.answer = 42;');
    await expect(run(['--schema', 'empty.js'])).resolves.toBe(2);
    expect(out.at(-1)).toMatch(/exports no table definition/);
  });

  it('takes flags given before the command, and a flag wins over package.json', async () => {
    dir.write('package.json', JSON.stringify({ nestDataLayer: { schema: 'none.js' } }));
    await expect(
      runMigrateCommand(['--schema', 'other.js', 'check'], {
        env: { DATABASE_PROVIDER: 'sqlite', SQLITE_PATH: path() },
        cwd: dir.path,
        stdout: (line) => out.push(line),
        stderr: (line) => out.push(line),
      }),
    ).resolves.toBe(2);
    expect(out.at(-1)).toMatch(/Cannot load the schema module .*other\.js/);
  });
});
