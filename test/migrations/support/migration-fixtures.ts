import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ColumnDefinition, TableDefinition } from '../../../src/schema';
import { defaultMigrationsDirectory } from '../../../src/migrations/migrations-directory';
import {
  paymentsTable,
  subscriptionsTable,
  usersTable,
  webhookEventsTable,
} from '../../../src/schema';

/** The versions of the migrations the library ships for a dialect, ascending. */
function shippedVersions(dialect: 'sqlite' | 'postgres'): number[] {
  return readdirSync(defaultMigrationsDirectory(dialect))
    .filter((f) => f.endsWith('.up.sql'))
    .map((f) => Number(f.slice(0, f.indexOf('_'))))
    .sort((a, b) => a - b);
}

/** The versions of the library's PostgreSQL migrations (not always 1 to n: helpers reserve some). */
export const SHIPPED_POSTGRES_VERSIONS = shippedVersions('postgres');

/** How many migrations the library ships for PostgreSQL. */
export const SHIPPED_POSTGRES_MIGRATIONS = SHIPPED_POSTGRES_VERSIONS.length;

/** How many migrations the library ships for SQLite. */
export const SHIPPED_SQLITE_MIGRATIONS = shippedVersions('sqlite').length;

/** The four tables the migrations must create, as the code defines them. */
export const TABLES: readonly TableDefinition<any>[] = [
  usersTable,
  paymentsTable,
  subscriptionsTable,
  webhookEventsTable,
];

/** A temporary folder, removed by `remove()`. */
export interface TempDir {
  path: string;
  write(name: string, text: string): void;
  remove(): void;
}

/** Makes an empty temporary folder. */
export function tempDir(label: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), `ndl-${label}-`));
  return {
    path,
    write: (name, text) => writeFileSync(join(path, name), text),
    remove: () => rmSync(path, { recursive: true, force: true }),
  };
}

/** Writes a `<version>_<name>.up.sql` / `.down.sql` pair. */
export function writeMigration(dir: TempDir, file: string, up: string, down: string): void {
  dir.write(`${file}.up.sql`, up);
  dir.write(`${file}.down.sql`, down);
}

/** A valid value for a column, in the form the library writes it (SQLite or Postgres). */
export function sampleValue(column: ColumnDefinition, dialect: 'sqlite' | 'postgres'): unknown {
  if (column.nullable) return null;
  switch (column.type) {
    case 'uuid':
      return randomUUID();
    case 'string':
    case 'text':
      return `${column.column}-${randomUUID()}`;
    case 'integer':
      return 1;
    case 'boolean':
      return dialect === 'sqlite' ? 0 : false;
    case 'timestamp':
      return new Date().toISOString();
    case 'json':
      return '{}';
  }
}

/** A complete row for a table, with `overrides` (by column name) applied. */
export function sampleRow(
  table: TableDefinition<any>,
  dialect: 'sqlite' | 'postgres',
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const column of table.columns) row[column.column] = sampleValue(column, dialect);
  if (table.name === 'users') Object.assign(row, { role: 'User', status: 'Active' });
  if (table.name === 'payments') Object.assign(row, { status: 'succeeded', currency: 'usd' });
  if (table.name === 'subscriptions') Object.assign(row, { status: 'active' });
  return Object.assign(row, overrides);
}

/** INSERT text and parameters for a row; `?` placeholders on SQLite, `$n` on Postgres. */
export function insertSql(
  table: string,
  row: Record<string, unknown>,
  dialect: 'sqlite' | 'postgres',
): [string, unknown[]] {
  const names = Object.keys(row);
  const marks = names.map((_, i) => (dialect === 'sqlite' ? '?' : `$${i + 1}`));
  return [
    `INSERT INTO ${table} (${names.join(', ')}) VALUES (${marks.join(', ')})`,
    Object.values(row),
  ];
}
