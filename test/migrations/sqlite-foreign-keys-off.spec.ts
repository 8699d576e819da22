import Database from 'better-sqlite3';
import { join } from 'node:path';
import { MigrationException, MigrationRunner, SqliteMigrationDriver } from '../../src/migrations';
import { tempDir, writeMigration, type TempDir } from './support/migration-fixtures';

// The table rebuild SQLite documents (https://www.sqlite.org/lang_altertable.html#otheralter)
// drops the old table; with foreign keys on, that deletes (CASCADE) or refuses (RESTRICT) the
// rows of every table referencing it. A migration that starts with PRAGMA foreign_keys = OFF
// gets them off around its transaction, as the procedure asks.
const REBUILD = `
  CREATE TABLE new_parents (id TEXT NOT NULL PRIMARY KEY, label TEXT NOT NULL) STRICT;
  INSERT INTO new_parents (id, label) SELECT id, coalesce(label, '') FROM parents;
  DROP TABLE parents;
  ALTER TABLE new_parents RENAME TO parents;`;

describe('a SQLite migration that turns foreign keys off', () => {
  let dir: TempDir;
  let files: TempDir;
  let db: Database.Database;
  const runner = () =>
    new MigrationRunner(new SqliteMigrationDriver(db), { directory: files.path });
  const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();

  beforeEach(async () => {
    dir = tempDir('fk-off-db');
    files = tempDir('fk-off-files');
    db = new Database(join(dir.path, 'test.sqlite'));
    db.pragma('foreign_keys = ON');
    writeMigration(
      files,
      '0001_create',
      `CREATE TABLE parents (id TEXT NOT NULL PRIMARY KEY, label TEXT) STRICT;
       CREATE TABLE children (id TEXT NOT NULL PRIMARY KEY, parent_id TEXT NOT NULL
         REFERENCES parents (id) ON DELETE CASCADE) STRICT;
       INSERT INTO parents VALUES ('p', NULL);
       INSERT INTO children VALUES ('c', 'p');`,
      'DROP TABLE children; DROP TABLE parents;',
    );
    await runner().up();
  });
  afterEach(() => {
    db.close();
    dir.remove();
    files.remove();
  });

  it('rebuilds a parent table without touching its children, then turns them back on', async () => {
    writeMigration(
      files,
      '0002_rebuild',
      `-- comment first\nPRAGMA foreign_keys = OFF;\n${REBUILD}`,
      'SELECT 1;',
    );
    await runner().up();
    expect(count('children')).toBe(1);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // The children's foreign key still names the rebuilt table, and holds.
    expect(() => db.exec("INSERT INTO children VALUES ('x', 'missing')")).toThrow(/FOREIGN KEY/);
  });

  it('without the pragma, the same rebuild deletes the children (why it exists)', async () => {
    writeMigration(files, '0002_rebuild', REBUILD, 'SELECT 1;');
    await runner().up();
    expect(count('children')).toBe(0);
  });

  it('refuses to commit a migration that leaves a row without its parent', async () => {
    writeMigration(
      files,
      '0002_orphan',
      "PRAGMA foreign_keys = OFF; DELETE FROM parents WHERE id = 'p';",
      'SELECT 1;',
    );
    const failure = await runner()
      .up()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationException);
    expect((failure as Error).message).toMatch(/children.*parents/);
    expect(count('parents')).toBe(1);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('leaves foreign keys off when the connection had them off', async () => {
    db.pragma('foreign_keys = OFF');
    writeMigration(files, '0002_rebuild', `PRAGMA foreign_keys = OFF;${REBUILD}`, 'SELECT 1;');
    await runner().up();
    expect(db.pragma('foreign_keys', { simple: true })).toBe(0);
  });
});
