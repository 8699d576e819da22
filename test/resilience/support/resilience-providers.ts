import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { IDatabaseAdapter } from '../../../src/adapters/database-adapter.interface';
import { PostgresAdapter } from '../../../src/adapters/postgres';
import { SQLiteAdapter } from '../../../src/adapters/sqlite';
import { openPgliteFromTemplate } from '../../support/pglite-template';
import { createTestDatabase, describeWithPostgres } from '../../support/postgres';

/** An open adapter on a fresh database, and how to throw both away. */
export interface OpenedDatabase {
  adapter: IDatabaseAdapter;
  /** Lists the tables, to check that nothing changed the schema. */
  tables(): Promise<string[]>;
  dispose(): Promise<void>;
}

/** A real provider the resilience tests run on. */
export interface ResilienceProvider {
  name: string;
  describe: (name: string, fn: () => void) => void;
  open(): Promise<OpenedDatabase>;
}

async function openSqliteFile(): Promise<OpenedDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'ndl-resilience-'));
  const file = join(dir, 'db.sqlite');
  const adapter = await SQLiteAdapter.open({ path: file, migrate: true });
  return {
    adapter,
    async tables() {
      // A second, read-only connection: the adapter keeps its own to itself.
      const db = new Database(file, { readonly: true });
      try {
        return db
          .prepare("SELECT type || ' ' || name FROM sqlite_master ORDER BY 1")
          .pluck()
          .all() as string[];
      } finally {
        db.close();
      }
    },
    async dispose() {
      await adapter.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function openPostgres(): Promise<OpenedDatabase> {
  const database = await createTestDatabase('resilience');
  const adapter = await PostgresAdapter.open({ connectionString: database.url, migrate: true });
  return {
    adapter,
    async tables() {
      const { rows } = await adapter.pool.query<{ name: string }>(
        `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
          WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
      );
      return rows.map((r) => r.name);
    },
    async dispose() {
      await adapter.close();
      await database.drop();
    },
  };
}

async function openPglite(): Promise<OpenedDatabase> {
  const adapter = await openPgliteFromTemplate();
  return {
    adapter,
    async tables() {
      const { rows } = await adapter.db.query<{ name: string }>(
        `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
          WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
      );
      return rows.map((r) => r.name);
    },
    dispose: () => adapter.close(),
  };
}

/** The providers with a real database here: a SQLite file, PostgreSQL and PGlite. */
export const RESILIENCE_PROVIDERS: readonly ResilienceProvider[] = [
  { name: 'sqlite-file', describe, open: openSqliteFile },
  { name: 'postgres', describe: describeWithPostgres, open: openPostgres },
  { name: 'pglite', describe, open: openPglite },
];
