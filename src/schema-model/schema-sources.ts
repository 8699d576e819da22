import type { PGlite } from '@electric-sql/pglite';
import type Database from 'better-sqlite3';
import type { Pool } from 'pg';
import { pgliteMigrationPool } from '../adapters/pglite/pglite-migration.pool';
import {
  PostgresMigrationDriver,
  type PostgresMigrationDriverOptions,
} from '../migrations/drivers/postgres-migration.driver';
import { SqliteMigrationDriver } from '../migrations/drivers/sqlite-migration.driver';
import type { SchemaSource } from './live-schema';

/** A better-sqlite3 connection as a schema source. The connection stays the caller's. */
export function sqliteSchemaSource(db: Database.Database): SchemaSource {
  return {
    dialect: 'sqlite',
    driver: new SqliteMigrationDriver(db),
    query: async (sql, params = []) => db.prepare(sql).all(...params) as Record<string, unknown>[],
  };
}

/**
 * A node-postgres pool as a schema source; `driver` passes on the migration driver's options
 * (its lock wait and log). The pool stays the caller's.
 */
export function postgresSchemaSource(
  pool: Pool,
  driver: PostgresMigrationDriverOptions = {},
): SchemaSource {
  return {
    dialect: 'postgres',
    driver: new PostgresMigrationDriver(pool, driver),
    query: async (sql, params = []) => (await pool.query(sql, [...params])).rows,
  };
}

/** A PGlite instance as a schema source, read as PostgreSQL. The instance stays the caller's. */
export function pgliteSchemaSource(
  db: PGlite,
  driver: PostgresMigrationDriverOptions = {},
): SchemaSource {
  return {
    dialect: 'postgres',
    driver: new PostgresMigrationDriver(pgliteMigrationPool(db), driver),
    query: async (sql, params = []) =>
      (await db.query<Record<string, unknown>>(sql, [...params])).rows,
  };
}
