import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Pool } from 'pg';
import type { IDatabaseAdapter } from '../../../src/adapters/database-adapter.interface';
import { pgliteMigrationPool, type PGliteAdapter } from '../../../src/adapters/pglite';
import { PostgresAdapter } from '../../../src/adapters/postgres/postgres.adapter';
import { SQLiteAdapter } from '../../../src/adapters/sqlite/sqlite.adapter';
import {
  MigrationRunner,
  PostgresMigrationDriver,
  SqliteMigrationDriver,
} from '../../../src/migrations';
import type { ColumnOptions } from '../../../src/schema';
import { usersTable } from '../../../src/schema';
import { openPgliteFromTemplate } from '../../support/pglite-template';
import { createTestDatabase } from '../../support/postgres';
import { sampleRow } from './migration-fixtures';
import { postgresProbe, sqliteProbe, type SchemaProbe } from './schema-probe';

const SCHEMA_SOURCE = resolve(__dirname, '../../../src/schema');

/** The options of a table, as an app's schema module passes them to defineTable. */
export interface TableSource {
  name: string;
  columns: Record<string, ColumnOptions>;
  softDelete?: boolean;
}

/**
 * Writes an app's compiled schema module: plain JavaScript calling the library's defineTable,
 * one export per table. Each version gets its own file (the module cache keeps the first).
 */
export function writeSchemaModule(folder: string, label: string, tables: TableSource[]): string {
  const path = join(folder, `schema-${label}.js`);
  const exports = tables.map((t, n) => `exports.table${n} = defineTable(${JSON.stringify(t)});`);
  writeFileSync(
    path,
    [`const { defineTable } = require(${JSON.stringify(SCHEMA_SOURCE)});`, ...exports].join('\n'),
  );
  return path;
}

/** A database the generated migrations are applied to, whatever its engine. */
export interface MigrationTarget {
  readonly name: string;
  readonly dialect: 'sqlite' | 'postgres';
  readonly probe: SchemaProbe;
  /** A runner over the library's migrations and the app's `root`. */
  runner(): MigrationRunner;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** An adapter on the migrated database, booted as an app boots it (with the app's folders). */
  adapter(): Promise<IDatabaseAdapter>;
  close(): Promise<void>;
}

/** A SQLite file with foreign keys on, as the adapter and the CLI open it. */
export function sqliteTarget(folder: string, root: string): MigrationTarget {
  const path = join(folder, 'app.sqlite');
  const db = new Database(path);
  db.pragma('foreign_keys = ON');
  const opened: IDatabaseAdapter[] = [];
  return {
    name: 'SQLite',
    dialect: 'sqlite',
    probe: sqliteProbe(db),
    runner: () => new MigrationRunner(new SqliteMigrationDriver(db), { appDirectories: [root] }),
    rows: async (sql) => db.prepare(sql).all() as Record<string, unknown>[],
    adapter: async () => {
      const adapter = await SQLiteAdapter.open({ path, appMigrationsDirectories: [root] });
      opened.push(adapter);
      return adapter;
    },
    close: async () => {
      await Promise.all(opened.map((a) => a.close()));
      db.close();
    },
  };
}

/** PGlite started from the migrated template. */
export async function pgliteTarget(root: string): Promise<MigrationTarget> {
  const adapter: PGliteAdapter = await openPgliteFromTemplate();
  const pool = pgliteMigrationPool(adapter.db);
  return {
    name: 'PGlite',
    dialect: 'postgres',
    probe: postgresProbe(pool),
    runner: () =>
      new MigrationRunner(new PostgresMigrationDriver(pool), { appDirectories: [root] }),
    rows: async (sql) => (await pool.query(sql)).rows,
    adapter: async () => adapter,
    close: () => adapter.close(),
  };
}

/** A throwaway PostgreSQL database. */
export async function postgresTarget(root: string): Promise<MigrationTarget> {
  const database = await createTestDatabase('generate');
  const pool = new Pool({ connectionString: database.url, max: 2 });
  const opened: IDatabaseAdapter[] = [];
  return {
    name: 'PostgreSQL',
    dialect: 'postgres',
    probe: postgresProbe(pool),
    runner: () =>
      new MigrationRunner(new PostgresMigrationDriver(pool), { appDirectories: [root] }),
    rows: async (sql) => (await pool.query(sql)).rows,
    adapter: async () => {
      const adapter = await PostgresAdapter.open({
        connectionString: database.url,
        migrate: true,
        appMigrationsDirectories: [root],
      });
      opened.push(adapter);
      return adapter;
    },
    close: async () => {
      await Promise.all(opened.map((a) => a.close()));
      await pool.end();
      await database.drop();
    },
  };
}

/** Inserts a user (the parent of the app's rows) and returns its id. */
export async function insertUser(target: MigrationTarget): Promise<string> {
  const id = randomUUID();
  await target.probe.insert('users', sampleRow(usersTable, target.dialect, { id }));
  return id;
}
