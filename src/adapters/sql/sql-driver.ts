import type { DatabaseException } from '../../exceptions';
import type { TableDefinition } from '../../schema/table-definition';
import type { TransactionConnections } from '../../transactions/transaction-connections';
import type { DatabaseProvider } from '../database-adapter.interface';
import type { SearchIndex } from './sql-conditions';
import type { SqlDialect } from './sql-dialect';

/** One statement for a driver: text, bound values, and whether its shape is fixed. */
export interface SqlStatement {
  readonly text: string;
  readonly values: readonly unknown[];
  /**
   * A fixed shape (by id, insert, update): a driver may keep it prepared under a name. Plan-built
   * reads are not fixed: after five runs PostgreSQL may switch a named statement to a generic plan
   * that ignores the values, turning a selective filter or a trigram search into a scan.
   */
  readonly fixed?: boolean;
  /**
   * At most one row can come back (a read or write by id or by a unique key): a driver may stop
   * after the first. better-sqlite3 answers `UPDATE … RETURNING` by id 12–15 µs sooner that way.
   */
  readonly single?: boolean;
  /**
   * The values to show an observer, sensitive ones replaced; built only when statements are
   * traced. Default is `values` (none of them sensitive).
   */
  readonly redacted?: () => readonly unknown[];
  /**
   * Raw SQL a caller wrote: the driver returns the result's column names, and runs the text as
   * one statement with bound parameters (never several in one string).
   */
  readonly raw?: boolean;
}

/** What a statement returned: its rows as arrays (columns in select order), and rows changed. */
export interface SqlResult {
  readonly rows: readonly (readonly unknown[])[];
  readonly changes: number;
  /** The result's column names, in order; given for {@link SqlStatement.raw} statements. */
  readonly columns?: readonly string[];
}

/** What an error happened during, for the error mapper's message and details. */
export interface SqlErrorContext {
  table?: TableDefinition<any>;
  operation?: string;
}

/**
 * How to talk to one SQL engine: everything the shared {@link SqlAdapter} cannot write once. A
 * driver runs single statements; planning, statement texts, row mapping, not-found rules and
 * transactions live above it. `C` is what a transaction holds (SQLite: the one connection;
 * PostgreSQL: a pooled client).
 */
export interface SqlDriver<C> {
  readonly provider: DatabaseProvider;
  readonly dialect: SqlDialect;
  /** How transactions get their connection; used by the shared transaction manager. */
  readonly connections: TransactionConnections<C>;
  /**
   * Runs one statement on a transaction's connection, or on any connection when `connection` is
   * undefined. May answer synchronously (SQLite). Errors are the driver's own, unmapped.
   */
  query(connection: C | undefined, statement: SqlStatement): SqlResult | Promise<SqlResult>;
  /**
   * Runs statements as one all-or-nothing step without a round trip between them, when the
   * engine can (SQLite, in its own savepoint). Without it the adapter runs them in a transaction.
   * The statements may be made as they are taken, so a large batch never exists all at once.
   */
  batch?(connection: C | undefined, statements: Iterable<SqlStatement>): void;
  /** A substring index the engine keeps for `table`'s searchable columns, if any (SQLite FTS5). */
  searchIndex?(table: TableDefinition<any>): SearchIndex | undefined;
  /** Turns an error of this engine into a library exception, keeping the original as `cause`. */
  mapError(error: unknown, context?: SqlErrorContext): DatabaseException;
  /** Closes the connection or pool; called once. */
  close(): Promise<void>;
}
