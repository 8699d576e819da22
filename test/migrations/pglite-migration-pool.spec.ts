import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { pgliteMigrationPool, type PGliteAdapter } from '../../src/adapters/pglite';
import { MigrationRunner, PostgresMigrationDriver } from '../../src/migrations';
import { openPgliteFromTemplate } from '../support/pglite-template';
import { tempDir, writeMigration, type TempDir } from './support/migration-fixtures';

describe('the migration runner on PGlite', () => {
  let adapter: PGliteAdapter;
  let app: TempDir;

  beforeAll(async () => {
    adapter = await openPgliteFromTemplate();
    app = tempDir('pglite-app');
    mkdirSync(join(app.path, 'postgres'));
    writeMigration(
      { ...app, write: (name, text) => app.write(join('postgres', name), text) },
      '20260101000000_create_notes',
      'CREATE TABLE notes (id uuid PRIMARY KEY);',
      'DROP TABLE notes;',
    );
  });
  afterAll(async () => {
    await adapter.close();
    app.remove();
  });

  it('reverts with down: the history row is found, as on PostgreSQL', async () => {
    const runner = new MigrationRunner(
      new PostgresMigrationDriver(pgliteMigrationPool(adapter.db)),
      {
        appDirectories: [app.path],
      },
    );
    expect((await runner.up()).map((r) => r.name)).toEqual(['create_notes']);
    expect((await runner.down()).map((r) => r.name)).toEqual(['create_notes']);
    const { rows } = await adapter.db.query("SELECT to_regclass('notes') AS notes");
    expect(rows).toEqual([{ notes: null }]);
  });
});
