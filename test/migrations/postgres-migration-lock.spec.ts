import { Client, Pool } from 'pg';
import { PostgresAdapter } from '../../src/adapters/postgres';
import {
  MIGRATION_LOCK_KEY,
  MigrationException,
  MigrationRunner,
  PostgresMigrationDriver,
} from '../../src/migrations';
import { POSTGRES_ROUTES } from '../support/pgbouncer';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import {
  SHIPPED_POSTGRES_MIGRATIONS as shippedCount,
  tempDir,
  writeMigration,
  type TempDir,
} from './support/migration-fixtures';

/** Advisory locks granted on the database right now, as the server sees them. */
async function advisoryLocks(admin: Client): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_locks
      WHERE locktype = 'advisory' AND granted
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return Number(rows[0].n);
}

describe.each(POSTGRES_ROUTES)('the Postgres migration lock, $name', (route) => {
  route.describe(route.name, () => {
    let database: TestDatabase;
    let admin: Client;
    let files: TempDir;
    const closers: Array<() => Promise<void>> = [];

    beforeEach(async () => {
      database = await createTestDatabase('migration_lock');
      admin = new Client({ connectionString: database.url });
      await admin.connect();
      files = tempDir('pg-lock');
    });

    afterEach(async () => {
      await Promise.all(closers.splice(0).map((close) => close()));
      await admin.end();
      await database.drop();
      files.remove();
    });

    const open = async (options: Parameters<typeof PostgresAdapter.open>[0]) => {
      const adapter = await PostgresAdapter.open(options);
      closers.push(() => adapter.close());
      return adapter;
    };

    /** A session of its own holding the migration lock, as an older runner would. */
    const holdLock = async () => {
      const holder = new Client({ connectionString: database.url });
      await holder.connect();
      closers.push(() => holder.end());
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      return holder;
    };

    /** A runner with its own pool by this route, the driver's log lines collected in `lines`. */
    const runner = (lines: string[], lockTimeoutMs: number, directory?: string) => {
      const pool = new Pool({ connectionString: route.url(database.url), max: 2 });
      pool.on('error', () => undefined);
      closers.push(() => pool.end());
      const log = (line: string) => lines.push(line);
      return new MigrationRunner(new PostgresMigrationDriver(pool, { lockTimeoutMs, log }), {
        directory,
      });
    };

    it('three instances booting at once on a fresh database all succeed, migrate once and hold no lock after', async () => {
      const url = route.url(database.url);
      await Promise.all([0, 1, 2].map(() => open({ connectionString: url, migrate: true })));

      const { rows } = await admin.query<{ n: string }>(
        'SELECT count(*) AS n FROM schema_migrations GROUP BY version ORDER BY version',
      );
      expect(rows.map((r) => Number(r.n))).toEqual(Array(shippedCount).fill(1));
      // Their connections are still open (idle in the pool, or on PgBouncer's server side).
      expect(await advisoryLocks(admin)).toBe(0);
    });

    it('a second instance logs the holder once while it waits, then gives up with a clear error', async () => {
      const holder = await holdLock();
      const { rows } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const pid = rows[0].pid;
      const lines: string[] = [];

      const failure = await runner(lines, 300)
        .up()
        .catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(MigrationException);
      expect(failure).toMatchObject({
        code: 'MIGRATION_LOCK_TIMEOUT',
        details: { holderPid: pid, lockTimeoutMs: 300 },
      });
      expect((failure as Error).message).toContain(`held by pid ${pid}`);
      const waits = lines.filter((line) => line.includes('waiting for the migration lock'));
      expect(waits).toEqual([expect.stringContaining(`held by pid ${pid}`)]);
      // Nothing was applied and nothing is left half-done.
      const applied = await admin.query("SELECT to_regclass('users') AS users");
      expect(applied.rows[0].users).toBeNull();
    }, 15_000);

    it('a wait for the lock is not cut short by the application statement timeout', async () => {
      const holder = await holdLock();
      const release = setTimeout(() => {
        void holder.query('SELECT pg_advisory_unlock_all()');
      }, 700);
      try {
        const adapter = await open({
          connectionString: route.url(database.url),
          statementTimeoutMs: 200,
          migrate: true,
        });
        await expect(adapter.ping()).resolves.toBeUndefined();
      } finally {
        clearTimeout(release);
      }
      expect(await advisoryLocks(admin)).toBe(0);
    }, 15_000);

    it('a migration that runs longer than the application statement timeout completes', async () => {
      writeMigration(
        files,
        '0001_slow',
        'SELECT pg_sleep(0.5); CREATE TABLE slow (id int PRIMARY KEY);',
        'DROP TABLE slow;',
      );
      await open({
        connectionString: route.url(database.url),
        statementTimeoutMs: 200,
        migrate: true,
        migrationsDirectory: files.path,
      });
      const { rows } = await admin.query("SELECT to_regclass('slow')::text AS slow");
      expect(rows[0].slow).toBe('slow');
    });

    it("a migration's statements wait for locks without a limit, whether the lock was contended or not", async () => {
      // What lock_timeout a migration's own statements run under: the wait for the migration lock
      // has its limit, the DDL after it has none, as it has no statement timeout.
      writeMigration(
        files,
        '0001_lock_seen',
        "CREATE TABLE lock_seen AS SELECT current_setting('lock_timeout') AS value;",
        'DROP TABLE lock_seen;',
      );
      const seen = async () =>
        (await admin.query<{ value: string }>('SELECT value FROM lock_seen')).rows[0].value;
      // A server (or role) default is overridden too.
      await admin.query(`ALTER DATABASE "${database.name}" SET lock_timeout = '2s'`);

      await runner([], 5_000, files.path).up();
      expect(await seen()).toBe('0');
      await runner([], 5_000, files.path).down();

      const holder = await holdLock();
      const release = setTimeout(() => {
        void holder.query('SELECT pg_advisory_unlock_all()');
      }, 300);
      const lines: string[] = [];
      try {
        await runner(lines, 5_000, files.path).up();
      } finally {
        clearTimeout(release);
      }
      expect(lines).toEqual([expect.stringContaining('waiting for the migration lock')]);
      expect(await seen()).toBe('0');
    }, 15_000);

    it('open() fails with the lock MigrationException once migrationLockTimeoutMs is spent', async () => {
      await holdLock();

      const failure = await PostgresAdapter.open({
        connectionString: route.url(database.url),
        migrate: true,
        migrationLockTimeoutMs: 200,
      }).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(MigrationException);
      expect(failure).toMatchObject({ code: 'MIGRATION_LOCK_TIMEOUT' });
    }, 15_000);
  });
});
