import type { PGlite, Results } from '@electric-sql/pglite';
import type { Pool } from 'pg';

/** What the PostgreSQL migration driver reads of a query result. */
interface MigrationResult {
  rows: Record<string, unknown>[];
  rowCount: number;
}

async function run(db: PGlite, text: string, values?: unknown[]): Promise<MigrationResult> {
  // Without values a migration file may hold many statements: PGlite's exec runs them all (the
  // simple protocol, as node-postgres uses for a query without values), and the last one answers.
  const result: Results =
    values === undefined || values.length === 0
      ? ((await db.exec(text)).at(-1) ?? { rows: [], fields: [] })
      : await db.query(text, values);
  return {
    rows: result.rows as Record<string, unknown>[],
    // As node-postgres counts: the rows a SELECT returns (PGlite says 0 affected for those).
    rowCount: result.fields.length > 0 ? result.rows.length : (result.affectedRows ?? 0),
  };
}

/**
 * The part of a node-postgres pool the PostgreSQL migration driver uses (`query`, `connect`, a
 * client's `query` and `release`), over PGlite's one connection, so the PostgreSQL migrations,
 * their history table and their transaction-scoped lock run on PGlite unchanged. Used only while
 * the adapter opens, before any other statement can run.
 */
export function pgliteMigrationPool(db: PGlite): Pool {
  const query = (text: string, values?: unknown[]) => run(db, text, values);
  const client = { query, release: () => undefined };
  return { query, connect: async () => client } as unknown as Pool;
}
