import Database from 'better-sqlite3';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  defaultMigrationsDirectory,
  MigrationChecksumMismatchException,
  MigrationException,
  MigrationRunner,
  migrationChecksum,
  SqliteMigrationDriver,
} from '../../src/migrations';
import { tempDir, writeMigration, type TempDir } from './support/migration-fixtures';

describe('MigrationRunner on SQLite', () => {
  let dir: TempDir;
  let files: TempDir;
  let db: Database.Database;
  let lines: string[];

  const runner = () =>
    new MigrationRunner(new SqliteMigrationDriver(db), {
      directory: files.path,
      log: (line) => lines.push(line),
    });
  const tables = () =>
    db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all() as string[];
  const recorded = () =>
    db
      .prepare('SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version')
      .all() as {
      version: number;
      name: string;
      checksum: string;
      applied_at: string;
    }[];

  beforeEach(() => {
    dir = tempDir('runner-db');
    files = tempDir('runner-files');
    db = new Database(join(dir.path, 'test.sqlite'));
    lines = [];
    writeMigration(
      files,
      '0001_create_a',
      'CREATE TABLE a (id INTEGER PRIMARY KEY);',
      'DROP TABLE a;',
    );
    writeMigration(
      files,
      '0002_create_b',
      'CREATE TABLE b (id INTEGER PRIMARY KEY);',
      'DROP TABLE b;',
    );
    writeMigration(
      files,
      '0003_create_c',
      'CREATE TABLE c (id INTEGER PRIMARY KEY);',
      'DROP TABLE c;',
    );
  });

  afterEach(() => {
    db.close();
    dir.remove();
    files.remove();
  });

  it('applies every migration in version order and records version, name, checksum and time', async () => {
    const results = await runner().up();

    expect(results.map((r) => [r.version, r.name, r.direction])).toEqual([
      [1, 'create_a', 'up'],
      [2, 'create_b', 'up'],
      [3, 'create_c', 'up'],
    ]);
    expect(tables()).toEqual(['a', 'b', 'c', 'schema_migrations']);
    const rows = recorded();
    expect(rows.map((r) => r.name)).toEqual(['create_a', 'create_b', 'create_c']);
    expect(rows[0].checksum).toBe(migrationChecksum('CREATE TABLE a (id INTEGER PRIMARY KEY);'));
    expect(rows[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(new Date(rows[0].applied_at).toISOString()).toBe(rows[0].applied_at);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^applied +0001_create_a \(/);
  });

  it('is idempotent: a second up applies nothing and logs nothing', async () => {
    await runner().up();
    lines = [];

    await expect(runner().up()).resolves.toEqual([]);
    expect(lines).toEqual([]);
    expect(recorded()).toHaveLength(3);
  });

  it('applies only the migrations added since the last up', async () => {
    await runner().up();
    writeMigration(files, '0004_create_d', 'CREATE TABLE d (id INTEGER);', 'DROP TABLE d;');

    const results = await runner().up();

    expect(results.map((r) => r.version)).toEqual([4]);
    expect(tables()).toContain('d');
  });

  it('down reverts the newest migration by default, and down(n) the n newest, newest first', async () => {
    await runner().up();

    const one = await runner().down();
    expect(one.map((r) => [r.version, r.direction])).toEqual([[3, 'down']]);
    expect(tables()).toEqual(['a', 'b', 'schema_migrations']);

    const two = await runner().down(2);
    expect(two.map((r) => r.version)).toEqual([2, 1]);
    expect(tables()).toEqual(['schema_migrations']);
    expect(recorded()).toEqual([]);
    expect(lines.slice(-1)[0]).toMatch(/^reverted 0001_create_a \(/);
  });

  it('down with more steps than are applied reverts them all, and then does nothing', async () => {
    await runner().up();

    await expect(runner().down(10)).resolves.toHaveLength(3);
    await expect(runner().down(10)).resolves.toEqual([]);
  });

  it('down rejects a step count that is not a positive integer', async () => {
    for (const steps of [0, -1, 1.5, Number.NaN]) {
      await expect(runner().down(steps)).rejects.toMatchObject({
        code: 'MIGRATION_INVALID_ARGUMENT',
      });
    }
  });

  it('status lists applied and pending migrations without creating anything', async () => {
    expect(await runner().status()).toEqual([
      { version: 1, name: 'create_a', state: 'pending', appliedAt: null },
      { version: 2, name: 'create_b', state: 'pending', appliedAt: null },
      { version: 3, name: 'create_c', state: 'pending', appliedAt: null },
    ]);
    expect(tables()).toEqual([]);

    await runner().up();
    await runner().down();
    const status = await runner().status();
    expect(status.map((s) => s.state)).toEqual(['applied', 'applied', 'pending']);
    expect(status[0].appliedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/));
  });

  it('refuses up and down with a typed error when an applied file was changed, and status shows it', async () => {
    await runner().up();
    files.write('0002_create_b.up.sql', 'CREATE TABLE b (id INTEGER PRIMARY KEY, extra TEXT);');
    writeMigration(files, '0004_create_d', 'CREATE TABLE d (id INTEGER);', 'DROP TABLE d;');

    const failure = await runner()
      .up()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationChecksumMismatchException);
    expect(failure).toBeInstanceOf(MigrationException);
    expect(failure).toMatchObject({
      code: 'MIGRATION_CHECKSUM_MISMATCH',
      version: 2,
      details: { version: 2, name: 'create_b' },
    });
    await expect(runner().down()).rejects.toBeInstanceOf(MigrationChecksumMismatchException);
    // Nothing ran: the pending migration was not applied past the drift.
    expect(tables()).not.toContain('d');
    expect((await runner().status()).map((s) => s.state)).toEqual([
      'applied',
      'changed',
      'applied',
      'pending',
    ]);
  });

  it('treats CRLF line endings as the same file', async () => {
    files.write('0001_create_a.up.sql', '-- a\nCREATE TABLE a (id INTEGER PRIMARY KEY);\n');
    await runner().up();
    files.write('0001_create_a.up.sql', '-- a\r\nCREATE TABLE a (id INTEGER PRIMARY KEY);\r\n');

    await expect(runner().up()).resolves.toEqual([]);
    expect((await runner().status())[0].state).toBe('applied');
  });

  it('refuses up when an applied migration has no file any more', async () => {
    await runner().up();
    files.remove();
    files = tempDir('runner-files');
    writeMigration(
      files,
      '0001_create_a',
      'CREATE TABLE a (id INTEGER PRIMARY KEY);',
      'DROP TABLE a;',
    );

    await expect(runner().up()).rejects.toMatchObject({
      code: 'MIGRATION_MISSING',
      details: { version: 2, name: 'create_b' },
    });
    expect((await runner().status()).map((s) => [s.version, s.state])).toEqual([
      [1, 'applied'],
      [2, 'missing'],
      [3, 'missing'],
    ]);
  });

  it('rolls a failing migration back completely, records nothing for it and keeps the earlier ones', async () => {
    writeMigration(
      files,
      '0002_create_b',
      'CREATE TABLE b (id INTEGER PRIMARY KEY); INSERT INTO b VALUES (1); INSERT INTO nowhere VALUES (1);',
      'DROP TABLE b;',
    );

    const failure = await runner()
      .up()
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(MigrationException);
    expect(failure).toMatchObject({
      code: 'MIGRATION_FAILED',
      details: { version: 2, name: 'create_b', direction: 'up' },
    });
    expect((failure as Error).message).toContain('0002_create_b');
    // The driver's own error (compared by shape: jest's realm has its own Error class).
    expect((failure as Error).cause).toMatchObject({ name: 'SqliteError', code: 'SQLITE_ERROR' });
    expect(tables()).toEqual(['a', 'schema_migrations']);
    expect(recorded().map((r) => r.version)).toEqual([1]);
    expect(db.inTransaction).toBe(false);
  });

  it('leaves the connection it was given open', async () => {
    await runner().up();
    await runner().down();
    await runner().status();
    expect(db.open).toBe(true);
  });

  it('a session skips, without running its SQL, a version another runner recorded or removed meanwhile', async () => {
    await runner().up();
    await runner().down();
    const session = await new SqliteMigrationDriver(db).openSession({ exclusive: true });

    // Running either statement would throw: table a exists, table c does not.
    await expect(
      session.applyUp(
        { version: 1, name: 'create_a', checksum: 'x' },
        'CREATE TABLE a (id INTEGER)',
      ),
    ).resolves.toBe(false);
    await expect(
      session.applyDown({ version: 3, name: 'create_c', checksum: 'x' }, 'DROP TABLE c'),
    ).resolves.toBe(false);
    await session.release();
    expect(recorded().map((r) => r.version)).toEqual([1, 2]);
  });

  describe('migration files', () => {
    it('rejects a .sql file whose name does not follow the pattern', async () => {
      files.write('0004-create-d.sql', 'SELECT 1;');
      await expect(runner().up()).rejects.toMatchObject({ code: 'MIGRATION_INVALID_FILE' });
    });

    it('rejects an up file without its down file', async () => {
      files.write('0004_create_d.up.sql', 'SELECT 1;');
      await expect(runner().status()).rejects.toMatchObject({ code: 'MIGRATION_INVALID_FILE' });
    });

    it('rejects two names for one version', async () => {
      writeMigration(files, '0003_create_other', 'SELECT 1;', 'SELECT 1;');
      await expect(runner().up()).rejects.toMatchObject({ code: 'MIGRATION_INVALID_FILE' });
    });

    it('rejects a directory that does not exist', async () => {
      const missing = new MigrationRunner(new SqliteMigrationDriver(db), {
        directory: join(files.path, 'nope'),
      });
      await expect(missing.up()).rejects.toMatchObject({ code: 'MIGRATION_INVALID_FILE' });
    });

    it('ignores files that are not .sql', async () => {
      files.write('README.md', '# notes');
      await expect(runner().up()).resolves.toHaveLength(3);
    });
  });
});

describe('defaultMigrationsDirectory', () => {
  it.each(['sqlite', 'postgres'] as const)(
    'finds the shipped %s migrations at the package root',
    (dialect) => {
      const directory = defaultMigrationsDirectory(dialect);
      expect(directory).toBe(join(__dirname, '..', '..', 'migrations', dialect));
      expect(existsSync(directory)).toBe(true);
      expect(readdirSync(directory).some((f) => f.endsWith('.up.sql'))).toBe(true);
    },
  );
});
