import { Pool } from 'pg';
import { MigrationException, MigrationRunner, PostgresMigrationDriver } from '../../src/migrations';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import {
  SHIPPED_POSTGRES_MIGRATIONS as shippedCount,
  SHIPPED_POSTGRES_VERSIONS,
  tempDir,
  writeMigration,
  type TempDir,
} from './support/migration-fixtures';

describeWithPostgres('MigrationRunner on Postgres', () => {
  let database: TestDatabase;
  const pools: Pool[] = [];

  const newPool = () => {
    const pool = new Pool({ connectionString: database.url, max: 2 });
    // pool.end() resolves before its sockets close; the database drop may then kill one.
    pool.on('error', () => undefined);
    pools.push(pool);
    return pool;
  };

  beforeEach(async () => {
    database = await createTestDatabase('migrate');
  });

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
    await database.drop();
  });

  it('two runners starting at once both succeed and each migration is applied exactly once', async () => {
    const first = new MigrationRunner(new PostgresMigrationDriver(newPool()));
    const second = new MigrationRunner(new PostgresMigrationDriver(newPool()));

    const [a, b] = await Promise.all([first.up(), second.up()]);

    const applied = [...a, ...b].map((r) => r.version).sort((x, y) => x - y);
    expect(applied).toEqual(SHIPPED_POSTGRES_VERSIONS);
    const pool = newPool();
    const { rows } = await pool.query<{ version: string; count: string }>(
      'SELECT version, count(*) FROM schema_migrations GROUP BY version',
    );
    expect(rows).toHaveLength(shippedCount);
    const status = await new MigrationRunner(new PostgresMigrationDriver(pool)).status();
    expect(status.every((s) => s.state === 'applied')).toBe(true);
  });

  it('holds the advisory lock only while migrating and returns its client to the pool', async () => {
    const pool = newPool();
    await new MigrationRunner(new PostgresMigrationDriver(pool)).up();

    const { rows } = await pool.query<{ count: string }>(
      `SELECT count(*) FROM pg_locks
        WHERE locktype = 'advisory' AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(Number(rows[0].count)).toBe(0);
    expect(pool.idleCount).toBe(pool.totalCount);
    expect(pool.ended).toBe(false);
  });

  it('runs all the way up, all the way down and up again', async () => {
    const runner = new MigrationRunner(new PostgresMigrationDriver(newPool()));

    await expect(runner.up()).resolves.toHaveLength(shippedCount);
    await expect(runner.down(shippedCount)).resolves.toHaveLength(shippedCount);
    const { rows } = await newPool().query<{ tablename: string }>(
      'SELECT tablename FROM pg_tables WHERE schemaname = current_schema()',
    );
    expect(rows.map((r) => r.tablename)).toEqual(['schema_migrations']);
    await expect(runner.up()).resolves.toHaveLength(shippedCount);
  });

  describe('with its own migration files', () => {
    let files: TempDir;

    beforeEach(() => {
      files = tempDir('pg-files');
      writeMigration(
        files,
        '0001_create_a',
        'CREATE TABLE a (id int PRIMARY KEY);',
        'DROP TABLE a;',
      );
    });

    afterEach(() => files.remove());

    it('rolls a failing migration back, DDL included, and records nothing for it', async () => {
      writeMigration(
        files,
        '0002_create_b',
        'CREATE TABLE b (id int PRIMARY KEY); INSERT INTO b VALUES (1); SELECT 1 / 0;',
        'DROP TABLE b;',
      );
      const pool = newPool();
      const runner = new MigrationRunner(new PostgresMigrationDriver(pool), {
        directory: files.path,
      });

      const failure = await runner.up().catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(MigrationException);
      expect(failure).toMatchObject({
        code: 'MIGRATION_FAILED',
        details: { version: 2, direction: 'up' },
      });
      expect((failure as Error & { cause: { code: string } }).cause.code).toBe('22012');
      const { rows } = await pool.query<{ b: string | null; versions: string[] }>(
        "SELECT to_regclass('b')::text AS b, array(SELECT version::text FROM schema_migrations) AS versions",
      );
      expect(rows[0]).toEqual({ b: null, versions: ['1'] });
      // The lock was released despite the failure: another runner can go ahead.
      files.write('0002_create_b.up.sql', 'CREATE TABLE b (id int PRIMARY KEY);');
      await expect(runner.up()).resolves.toHaveLength(1);
    });

    it('refuses to run when an applied file changed', async () => {
      const runner = new MigrationRunner(new PostgresMigrationDriver(newPool()), {
        directory: files.path,
      });
      await runner.up();
      files.write('0001_create_a.up.sql', 'CREATE TABLE a (id bigint PRIMARY KEY);');

      await expect(runner.up()).rejects.toMatchObject({ code: 'MIGRATION_CHECKSUM_MISMATCH' });
      expect((await runner.status())[0]).toMatchObject({ version: 1, state: 'changed' });
    });

    it('maps a connection failure to a MigrationException with the driver error as cause', async () => {
      const url = new URL(database.url);
      url.pathname = '/ndl_database_that_does_not_exist';
      const pool = new Pool({ connectionString: url.toString(), max: 1 });
      pools.push(pool);
      const runner = new MigrationRunner(new PostgresMigrationDriver(pool), {
        directory: files.path,
      });

      const failure = await runner.up().catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(MigrationException);
      expect(failure).toMatchObject({ code: 'MIGRATION_SESSION_FAILED' });
      expect((failure as Error).cause).toMatchObject({ code: '3D000' });
    });
  });
});
