import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packLibrary } from '../support/packed-library';
import {
  createTestDatabase,
  describeWithPostgres,
  postgresSkipReason,
  type TestDatabase,
} from '../support/postgres';
import { runCommand, runOk, type CommandResult } from '../support/run-command';
import {
  appMigrations,
  createApp,
  shippedMigrations,
  type NewUserApp,
} from './support/new-user-project';
import { requestJson, startApp } from './support/running-app';

/**
 * What a new user does, end to end, from the packed tarball (docs/repositories.md › Your own
 * tables runs the same commands): a fresh Nest app in a temporary directory outside the
 * repository (template: test/e2e/new-user-app) with an `invoices` table declared once in
 * src/schema.ts; `tsc`; `npx nest-data-layer migrate generate create_invoices` for both dialects;
 * `migrate status|up|check` and the compiled app serving its controller over `InvoicesRepository`,
 * on SQLite and on PostgreSQL; the app's own Jest tests with the test kit; then a column added to
 * schema.ts, `generate`, `check` naming it as drift until `up`, and clean again.
 */

type Dialect = 'sqlite' | 'postgres';

/** `describe` for SQLite; for PostgreSQL, one that skips with the reason when there is none. */
const DESCRIBE: Record<Dialect, (name: string, fn: () => void) => void> = {
  sqlite: describe,
  postgres: describeWithPostgres,
};
const LABEL: Record<Dialect, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** Expects one `<state>  <migration>` line of `migrate status` / `up` / `check` per name. */
function expectListed(output: string, state: 'pending' | 'applied', names: readonly string[]) {
  for (const name of names) expect(output).toMatch(new RegExp(`^${state} +${name}\\b`, 'm'));
}

/** Expects `migrate check`'s verdict on a database without drift or pending migrations. */
function expectNoDrift(result: CommandResult): void {
  expect(result.stdout).toMatch(/^No drift: \d+ tables match their definitions\.$/m);
  expect(result.stdout).not.toMatch(/^(drift|pending|warning) /m);
  expect(result.code).toBe(0);
}

/** The errors tsc printed, `file(line,col): error TSnnnn: message` each. */
function compileErrors(output: string): string[] {
  return output.split('\n').filter((line) => / error TS\d+:/.test(line));
}

/** One test of the app's own Jest run, from its `--json` report. */
interface AppTestResult {
  fullName: string;
  status: string;
}

const timings: string[] = [];

/** Runs one step and notes how long it took (printed after the run). */
async function timed<T>(label: string, step: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await step();
  } finally {
    timings.push(`${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

describe('a new user: npm pack, a fresh Nest app, one table, generated migrations, its tests', () => {
  let root: string;
  let app: NewUserApp;
  let postgres: TestDatabase | undefined;

  const env: Record<Dialect, () => Record<string, string>> = {
    sqlite: () => ({ DATABASE_PROVIDER: 'sqlite', SQLITE_PATH: join(root, 'db', 'app.sqlite') }),
    postgres: () => ({ DATABASE_PROVIDER: 'postgres', DATABASE_URL: postgres?.url ?? '' }),
  };

  /** `npx nest-data-layer migrate <args>` in the app, against the dialect's database. */
  const migrate = (args: readonly string[], dialect?: Dialect) =>
    timed(`migrate ${args.join(' ')}${dialect ? ` (${dialect})` : ''}`, () =>
      runCommand('npx', ['nest-data-layer', 'migrate', ...args], {
        cwd: app.dir,
        env: dialect ? env[dialect]() : {},
      }),
    );
  const migrateOk = async (args: readonly string[], dialect?: Dialect) => {
    const result = await migrate(args, dialect);
    if (result.code !== 0) {
      throw new Error(
        `migrate ${args.join(' ')} exited with ${result.code}:\n${result.stdout}\n${result.stderr}`,
      );
    }
    return result;
  };
  /** `npx tsc` in the app, expected to pass; a failure lists its errors one per line. */
  const compile = async (label: string) => {
    const result = await timed(label, () =>
      runCommand('npx', ['tsc'], { cwd: app.dir, timeoutMs: 300_000 }),
    );
    expect(compileErrors(result.stdout)).toEqual([]);
    expect(result.code).toBe(0);
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ndl-new-user-'));
    const tarball = await timed('npm pack (prepack build, or the cached tarball)', packLibrary);
    app = await timed('npm install of the app', () => createApp(join(root, 'app'), tarball));
    timings.push(`better-sqlite3 binary: ${app.sqliteBinary}`);
    if (!postgresSkipReason) postgres = await createTestDatabase('new_user');
  }, 1_200_000);

  afterAll(async () => {
    await postgres?.drop();
    if (root) rmSync(root, { recursive: true, force: true });
    if (timings.length > 0) console.log(`new-user e2e step timings:\n  ${timings.join('\n  ')}`);
  });

  it('compiles the app (strict, skipLibCheck false) against the published declarations', async () => {
    await compile('tsc of the app');
    expect(existsSync(join(app.dir, 'dist', 'main.js'))).toBe(true);
    expect(existsSync(join(app.dir, 'dist', 'schema.js'))).toBe(true);
  }, 300_000);

  it('migrate generate create_invoices writes the migrations for both dialects and the snapshot', async () => {
    const { stdout } = await migrateOk(['generate', 'create_invoices']);
    expect(stdout).toMatch(/^\+ table invoices$/m);
    for (const dialect of ['sqlite', 'postgres'] as const) {
      const [migration, ...others] = appMigrations(app, dialect);
      expect(others).toEqual([]);
      expect(migration).toMatch(/^\d{14}_create_invoices$/);
      const up = readFileSync(join(app.dir, 'migrations', dialect, `${migration}.up.sql`), 'utf8');
      expect(up).toMatch(/^CREATE TABLE invoices \(/m);
      expect(existsSync(join(app.dir, 'migrations', dialect, `${migration}.down.sql`))).toBe(true);
      expect(stdout).toContain(`wrote migrations/${dialect}/${migration}.up.sql`);
    }
    const snapshot = JSON.parse(
      readFileSync(join(app.dir, 'migrations', 'schema-snapshot.json'), 'utf8'),
    ) as { tables: { name: string }[] };
    expect(snapshot.tables.map((table) => table.name)).toEqual(['invoices']);
  }, 60_000);

  /** status, up, check and a boot of the compiled app serving invoices, on one database. */
  function describeDatabase(dialect: Dialect): void {
    it("migrate status lists the library's migrations and the app's, all pending", async () => {
      const { stdout } = await migrateOk(['status'], dialect);
      expectListed(stdout, 'pending', [
        ...shippedMigrations(app, dialect),
        ...appMigrations(app, dialect),
      ]);
      expect(stdout).not.toMatch(/^applied/m);
    }, 60_000);

    it('migrate up applies them all, the app’s last', async () => {
      const library = shippedMigrations(app, dialect);
      const own = appMigrations(app, dialect);
      const { stdout } = await migrateOk(['up'], dialect);
      expectListed(stdout, 'applied', [...library, ...own]);
      expect(stdout.trim().split('\n').at(-1)).toBe(
        `Applied ${library.length + own.length} migrations.`,
      );
      expectListed((await migrateOk(['status'], dialect)).stdout, 'applied', [...library, ...own]);
    }, 60_000);

    it('migrate check finds no drift between the database and the tables', async () => {
      expectNoDrift(await migrate(['check'], dialect));
    }, 60_000);

    it('boots the compiled app, which creates, reads and lists an invoice over HTTP', async () => {
      const running = await timed(`boot (${dialect})`, () => startApp(app.dir, env[dialect]()));
      try {
        const user = await requestJson(running, 'POST', '/users', {
          email: `new-user-${dialect}@example.com`,
          firstName: 'New',
          lastName: 'User',
        });
        expect(user.status).toBe(201);
        const invoice = {
          userId: user.body.id,
          number: `INV-${dialect}-1`,
          amountCents: 1999,
          currency: 'eur',
          status: 'open',
        };
        const created = await requestJson(running, 'POST', '/invoices', invoice);
        expect(created).toMatchObject({ status: 201, body: { ...invoice, paidAt: null } });
        const read = await requestJson(running, 'GET', `/invoices/${created.body.id}`);
        expect(read).toEqual({ status: 200, body: created.body });
        const listed = await requestJson(running, 'GET', '/invoices?status=open');
        expect(listed).toEqual({ status: 200, body: [created.body] });
        const bad = await requestJson(running, 'POST', '/invoices', { ...invoice, status: 'lost' });
        expect(bad.status).toBe(400);
      } finally {
        await running.stop();
      }
    }, 60_000);
  }

  for (const dialect of ['sqlite', 'postgres'] as const) {
    DESCRIBE[dialect](`on ${LABEL[dialect]}`, () => describeDatabase(dialect));
  }

  it("passes the app's own Jest tests, with the test kit, on SQLite and on PostgreSQL", async () => {
    const report = join(root, 'app-jest.json');
    await timed("the app's jest", () =>
      runOk('npx', ['jest', '--ci', '--json', `--outputFile=${report}`], {
        cwd: app.dir,
        env: postgres ? { TEST_DATABASE_ADMIN_URL: process.env.TEST_PG_ADMIN_URL ?? '' } : {},
        timeoutMs: 300_000,
      }),
    );
    const { testResults } = JSON.parse(readFileSync(report, 'utf8')) as {
      testResults: { assertionResults: AppTestResult[] }[];
    };
    const results = testResults.flatMap((file) => file.assertionResults);
    expect(results.filter((test) => test.status !== 'passed')).toEqual([]);
    // The same tests on each provider the kit was given.
    const on = (provider: string) =>
      results
        .filter((test) => test.fullName.startsWith(`invoices on ${provider} `))
        .map((test) => test.fullName.replace(`invoices on ${provider} `, ''));
    const sqlite = on('sqlite');
    expect(sqlite).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/reads it back/),
        expect.stringMatching(/rollback per test/),
        expect.stringMatching(/nested transaction\(\)/),
      ]),
    );
    expect(on('postgres')).toEqual(postgres ? sqlite : []);
    expect(results).toHaveLength(sqlite.length * (postgres ? 2 : 1));
  }, 300_000);

  describe('then a column added to schema.ts', () => {
    it('is rebuilt and migrate generate add_due_at writes its migrations', async () => {
      const schema = join(app.dir, 'src', 'schema.ts');
      const before = readFileSync(schema, 'utf8');
      const anchor = "    note: { type: 'text', nullable: true },\n";
      expect(before).toContain(anchor);
      writeFileSync(
        schema,
        before.replace(anchor, `${anchor}    dueAt: { type: 'timestamp', nullable: true },\n`),
      );
      await compile('tsc of the app, again');
      const { stdout } = await migrateOk(['generate', 'add_due_at']);
      expect(stdout).toMatch(/^\+ column invoices\.due_at$/m);
      for (const dialect of ['sqlite', 'postgres'] as const) {
        expect(appMigrations(app, dialect)).toEqual([
          expect.stringMatching(/^\d{14}_create_invoices$/),
          expect.stringMatching(/^\d{14}_add_due_at$/),
        ]);
      }
    }, 300_000);

    for (const dialect of ['sqlite', 'postgres'] as const) {
      DESCRIBE[dialect](`on ${LABEL[dialect]}`, () => {
        it('migrate check names the new column as drift, and its migration as pending', async () => {
          const result = await migrate(['check'], dialect);
          expect(result.stdout).toMatch(/^drift +invoices\.due_at: missing column\b/m);
          expect(result.stdout).toMatch(/^pending +\d{14}_add_due_at$/m);
          expect(result.code).toBe(1);
        }, 60_000);

        it('migrate up applies it, and migrate check is clean again', async () => {
          const { stdout } = await migrateOk(['up'], dialect);
          expect(stdout).toMatch(/^applied +\d{14}_add_due_at\b/m);
          expect(stdout.trim().split('\n').at(-1)).toBe('Applied 1 migration.');
          expectNoDrift(await migrate(['check'], dialect));
        }, 60_000);
      });
    }
  });
});
