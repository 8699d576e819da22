import { Logger } from '@nestjs/common';
import type { QueryArrayConfig, QueryArrayResult } from 'pg';
import type { SqlDriver, SqlErrorContext, SqlResult, SqlStatement } from '../sql/sql-driver';
import { poolConfig, type ResolvedPostgresOptions } from './postgres-adapter.options';
import { type CheckedOutClient, checkOut, PostgresConnections } from './postgres-connections';
import { PostgresPool } from './postgres-pool';
import { postgresDialect } from './postgres.dialect';
import { DECODED_ROW_TYPES } from './postgres-timestamp-text';
import { mapPostgresError } from './postgres-error.mapper';
import { queryWithDeadline } from './postgres-statement-deadline';
import {
  isStalePreparedStatement,
  StatementNames,
  staleStatementInTransaction,
} from './postgres-statement-names';

/**
 * PostgreSQL through node-postgres' pool: statements on a transaction's client or on any pooled
 * one, fixed shapes as named prepared statements where the connection allows them, a client-side
 * deadline behind a pooler, and named statements that heal when the server's copy went stale.
 */
export class PostgresDriver implements SqlDriver<CheckedOutClient> {
  readonly provider = 'postgres' as const;
  readonly dialect = postgresDialect;
  readonly connections: PostgresConnections;
  readonly pool: PostgresPool;
  private readonly statementNames = new StatementNames();

  constructor(readonly settings: ResolvedPostgresOptions) {
    this.pool = new PostgresPool(poolConfig(settings));
    this.connections = new PostgresConnections(this.pool, settings.beginStatement);
    const logger = new Logger('PostgresAdapter');
    // An idle pooled connection the server drops emits `error`; unhandled it would end the process.
    this.pool.on('error', (error) => {
      logger.warn(`An idle PostgreSQL connection failed and was discarded: ${error.message}`);
    });
  }

  /**
   * A pooled client is destroyed only when its connection failed, not on a constraint error
   * (pg-pool's own `pool.query` would discard it on any error). A named statement the server no
   * longer matches (0A000 after a column type change, 26000, 42P05) gets a new name: outside a
   * transaction it is prepared again and run once more; inside one, whose work the error
   * aborted, a retryable TransactionException asks for a re-run.
   */
  async query(tx: CheckedOutClient | undefined, statement: SqlStatement): Promise<SqlResult> {
    const config: QueryArrayConfig = {
      text: statement.text,
      values: statement.values as unknown[],
      rowMode: 'array',
    };
    // Raw SQL always goes through the extended protocol: one statement, values bound.
    // (pg reads `queryMode`; its types do not declare it.)
    if (statement.raw) Object.assign(config, { queryMode: 'extended' });
    else config.types = DECODED_ROW_TYPES;
    if (statement.fixed && this.settings.namedStatements) {
      config.name = this.statementNames.nameOf(statement.text);
    }
    let result: QueryArrayResult;
    try {
      result = await (tx ? tx.client.query(config) : this.pooledQuery(config));
    } catch (error) {
      if (config.name === undefined || !isStalePreparedStatement(error)) throw error;
      const name = this.statementNames.renew(statement.text);
      if (tx) throw staleStatementInTransaction(error);
      result = await this.pooledQuery({ ...config, name });
    }
    const columns = statement.raw ? result.fields.map((f) => f.name) : undefined;
    return { rows: result.rows, changes: result.rowCount ?? 0, columns };
  }

  mapError(error: unknown, context: SqlErrorContext = {}) {
    return mapPostgresError(error, { table: context.table });
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  /** Runs a statement on a client of its own, released (or destroyed) afterwards. */
  private async pooledQuery(config: QueryArrayConfig): Promise<QueryArrayResult> {
    const leased = checkOut(this.pool);
    const checkedOut = leased instanceof Promise ? await leased : leased;
    const deadline = this.settings.statementDeadlineMs;
    if (deadline !== undefined) return queryWithDeadline(checkedOut, config, deadline);
    let failure: unknown;
    try {
      return await checkedOut.client.query(config);
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      checkedOut.release(failure);
    }
  }
}
