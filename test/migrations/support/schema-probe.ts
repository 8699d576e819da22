import type Database from 'better-sqlite3';
import type { Pool } from 'pg';
import {
  MigrationRunner,
  PostgresMigrationDriver,
  SqliteMigrationDriver,
} from '../../../src/migrations';
import { insertSql } from './migration-fixtures';

/** A column as the database describes it. */
export interface ProbedColumn {
  name: string;
  type: string;
  nullable: boolean;
  /** Postgres only: the column's collation, null when the type has none. */
  collation?: string | null;
}

/** An index as the database describes it. */
export interface ProbedIndex {
  name: string;
  unique: boolean;
  columns: string[];
  /** The partial index predicate, lower-case without parentheses, or null. */
  predicate: string | null;
  /** Postgres only: btree, gin, … */
  method?: string;
}

/** A single-column foreign key. */
export interface ProbedForeignKey {
  column: string;
  references: string;
  onDelete: string;
}

/** Reads a migrated schema the same way on both dialects, so one test body checks both. */
export interface SchemaProbe {
  readonly dialect: 'sqlite' | 'postgres';
  runner(): MigrationRunner;
  tables(): Promise<string[]>;
  columns(table: string): Promise<ProbedColumn[]>;
  indexes(table: string): Promise<ProbedIndex[]>;
  foreignKeys(table: string): Promise<ProbedForeignKey[]>;
  insert(table: string, row: Record<string, unknown>): Promise<void>;
  execute(sql: string, params?: unknown[]): Promise<void>;
}

const normalizePredicate = (text: string | null | undefined): string | null =>
  text ? text.replace(/[()]/g, '').replace(/\s+/g, ' ').trim().toLowerCase() : null;

/**
 * Runs a statement, rethrowing its error as an Error of this test file's realm: better-sqlite3
 * binds SqliteError once per process, to the realm of the first test file that loaded it, so
 * jest's `rejects.toThrow` would not recognise it in a later file of the same worker.
 */
function rethrowHere(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    throw new Error((error as Error).message, { cause: error });
  }
}

/** A probe over a better-sqlite3 connection. */
export function sqliteProbe(db: Database.Database): SchemaProbe {
  return {
    dialect: 'sqlite',
    runner: () => new MigrationRunner(new SqliteMigrationDriver(db)),
    tables: async () =>
      db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )
        .pluck()
        .all() as string[],
    columns: async (table) =>
      (
        db.prepare(`PRAGMA table_xinfo(${table})`).all() as {
          name: string;
          type: string;
          notnull: number;
        }[]
      ).map((c) => ({ name: c.name, type: c.type, nullable: c.notnull === 0 })),
    indexes: async (table) =>
      (
        db.prepare(`PRAGMA index_list(${table})`).all() as {
          name: string;
          unique: number;
          origin: string;
        }[]
      ).map((index) => {
        const sql = db
          .prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?")
          .pluck()
          .get(index.name) as string | null;
        return {
          name: index.name,
          unique: index.unique === 1,
          columns: (db.prepare(`PRAGMA index_info(${index.name})`).all() as { name: string }[]).map(
            (c) => c.name,
          ),
          predicate: normalizePredicate(sql ? /\bWHERE\b(.*)$/is.exec(sql)?.[1] : null),
        };
      }),
    foreignKeys: async (table) =>
      (
        db.prepare(`PRAGMA foreign_key_list(${table})`).all() as {
          table: string;
          from: string;
          to: string;
          on_delete: string;
        }[]
      ).map((fk) => ({
        column: fk.from,
        references: `${fk.table}.${fk.to}`,
        onDelete: fk.on_delete,
      })),
    insert: async (table, row) => {
      const [sql, params] = insertSql(table, row, 'sqlite');
      rethrowHere(() => db.prepare(sql).run(...params));
    },
    execute: async (sql, params = []) => {
      rethrowHere(() => db.prepare(sql).run(...params));
    },
  };
}

/** A probe over a `pg` pool connected as the table owner. */
export function postgresProbe(pool: Pool): SchemaProbe {
  return {
    dialect: 'postgres',
    runner: () => new MigrationRunner(new PostgresMigrationDriver(pool)),
    tables: async () =>
      (
        await pool.query<{ name: string }>(
          'SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1',
        )
      ).rows.map((r) => r.name),
    columns: async (table) =>
      (
        await pool.query<{
          name: string;
          type: string;
          nullable: string;
          collation: string | null;
        }>(
          `SELECT column_name AS name, data_type AS type, is_nullable AS nullable, collation_name AS collation
             FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = $1
            ORDER BY ordinal_position`,
          [table],
        )
      ).rows.map((c) => ({ ...c, nullable: c.nullable === 'YES' })),
    indexes: async (table) =>
      (
        await pool.query<ProbedIndex>(
          `SELECT i.relname AS name, ix.indisunique AS unique, am.amname AS method,
                  pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
                  array(SELECT a.attname::text
                          FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
                          JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
                         ORDER BY k.ord) AS columns
             FROM pg_index ix
             JOIN pg_class i ON i.oid = ix.indexrelid
             JOIN pg_am am ON am.oid = i.relam
            WHERE ix.indrelid = $1::regclass`,
          [table],
        )
      ).rows.map((index) => ({ ...index, predicate: normalizePredicate(index.predicate) })),
    foreignKeys: async (table) =>
      (
        await pool.query<ProbedForeignKey>(
          `SELECT a.attname::text AS column,
                  c.confrelid::regclass::text || '.' || ra.attname AS references,
                  CASE c.confdeltype WHEN 'r' THEN 'RESTRICT' WHEN 'a' THEN 'NO ACTION'
                    WHEN 'c' THEN 'CASCADE' ELSE c.confdeltype::text END AS "onDelete"
             FROM pg_constraint c
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
             JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1]
            WHERE c.contype = 'f' AND c.conrelid = $1::regclass`,
          [table],
        )
      ).rows,
    insert: async (table, row) => {
      const [sql, params] = insertSql(table, row, 'postgres');
      await pool.query(sql, params);
    },
    execute: async (sql, params = []) => {
      // Tests write `?` placeholders for both dialects.
      let index = 0;
      await pool.query(
        sql.replace(/\?/g, () => `$${++index}`),
        params,
      );
    },
  };
}
