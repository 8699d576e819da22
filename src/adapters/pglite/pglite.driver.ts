import type { PGlite } from '@electric-sql/pglite';
import type { TableDefinition } from '../../schema/table-definition';
import { SharedConnection } from '../../transactions/shared-connection';
import type { SqlDriver, SqlErrorContext, SqlResult, SqlStatement } from '../sql/sql-driver';
import { pgliteDialect } from './pglite.dialect';
import { mapPgliteError } from './pglite-error.mapper';

/**
 * PostgreSQL in-process through PGlite: one connection, like SQLite's (the same shared lock
 * keeps another flow's statements out of an open transaction), but asynchronous, so statements
 * outside transactions take the lock too. Rows come back as arrays.
 */
export class PgliteDriver implements SqlDriver<PGlite> {
  readonly provider = 'pglite' as const;
  readonly dialect = pgliteDialect;
  readonly connections: SharedConnection<PGlite>;

  constructor(readonly db: PGlite) {
    this.connections = new SharedConnection({
      connection: db,
      beginStatement: 'BEGIN',
      synchronous: false,
      exec: async (connection, statement) => {
        await connection.exec(statement);
      },
      // PostgreSQL never ends a transaction on its own short of losing the connection.
      inTransaction: () => undefined,
      isClosed: (connection) => connection.closed,
      mapError: (error) => mapPgliteError(error),
    });
  }

  async query(_connection: PGlite | undefined, statement: SqlStatement): Promise<SqlResult> {
    const result = await this.db.query(statement.text, statement.values as unknown[], {
      rowMode: 'array',
    });
    const columns = statement.raw ? result.fields.map((f) => f.name) : undefined;
    return { rows: result.rows as unknown[][], changes: result.affectedRows ?? 0, columns };
  }

  mapError(error: unknown, context: SqlErrorContext = {}) {
    return mapPgliteError(error, { table: context.table as TableDefinition<any> | undefined });
  }

  async close(): Promise<void> {
    try {
      this.connections.close();
    } finally {
      if (!this.db.closed) await this.db.close();
    }
  }
}
