import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { ValidationException } from '../../exceptions';
import type { TableDefinition } from '../../schema/table-definition';
import type { SearchIndex } from '../sql/sql-conditions';
import { quoteIdentifier } from '../sql/sql-dialect';
import type { SqlDriver, SqlErrorContext, SqlResult, SqlStatement } from '../sql/sql-driver';
import type { SQLiteAdapterOptions } from './sqlite-adapter.options';
import { sqliteConnection } from './sqlite-connection';
import type { SharedConnection } from '../../transactions/shared-connection';
import { sqliteDialect } from './sqlite.dialect';
import { mapSqliteError } from './sqlite-error.mapper';

/** The default database file. */
export const DEFAULT_SQLITE_PATH = './data/database.sqlite';

type Statement = Database.Statement<unknown[], unknown>;

const NO_ROWS: readonly (readonly unknown[])[] = Object.freeze([]);

/**
 * SQLite through better-sqlite3: one synchronous connection, its statements prepared once per
 * text and kept, rows returned as arrays, and the FTS5 trigram tables that serve searches.
 */
export class SqliteDriver implements SqlDriver<Database.Database> {
  readonly provider = 'sqlite' as const;
  readonly dialect = sqliteDialect;
  readonly connections: SharedConnection<Database.Database>;
  /** The resolved database path, or `:memory:`. */
  readonly path: string;
  readonly db: Database.Database;
  private readonly statements = new Map<string, Statement>();
  /** Each table's FTS5 trigram search index, looked up on first search (null: it has none). */
  private readonly searchIndexes = new Map<string, SearchIndex | null>();

  constructor(options: SQLiteAdapterOptions) {
    const path = options.path ?? DEFAULT_SQLITE_PATH;
    this.path = path === ':memory:' ? path : resolve(path);
    try {
      if (this.path !== ':memory:') mkdirSync(dirname(this.path), { recursive: true });
      this.db = new Database(this.path);
      this.db.pragma('foreign_keys = ON');
      if (this.path !== ':memory:') this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${checkSynchronous(options.synchronous ?? 'NORMAL')}`);
      this.db.pragma('temp_store = MEMORY');
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
      // LIKE is case-sensitive on Postgres; this makes SQLite agree (ilike uses lower()).
      this.db.pragma('case_sensitive_like = ON');
    } catch (error) {
      throw mapSqliteError(error, { operation: 'open' });
    }
    this.connections = sqliteConnection(this.db);
  }

  query(_connection: Database.Database | undefined, statement: SqlStatement): SqlResult {
    const prepared = this.prepare(statement.text);
    if (statement.raw && prepared.reader) {
      const columns = prepared.columns().map((c) => c.name);
      return { rows: prepared.all(statement.values) as unknown[][], changes: 0, columns };
    }
    if (prepared.reader) {
      if (!statement.single) {
        return { rows: prepared.all(statement.values) as unknown[][], changes: 0 };
      }
      const row = prepared.get(statement.values) as unknown[] | undefined;
      return { rows: row === undefined ? NO_ROWS : [row], changes: row === undefined ? 0 : 1 };
    }
    return { rows: NO_ROWS, changes: prepared.run(statement.values).changes };
  }

  /** In one savepoint of its own when a transaction is open (better-sqlite3 nests it so). */
  batch(_connection: Database.Database | undefined, statements: readonly SqlStatement[]): void {
    this.db.transaction(() => {
      for (const statement of statements) this.prepare(statement.text).run(statement.values);
    })();
  }

  /**
   * The search index of a table: an FTS5 table named `<table>_search` with the trigram tokenizer
   * over its searchable columns, whose rowids are the table's (migrations/sqlite/0005 makes the
   * users' one). Looked up once per table; undefined when there is none.
   */
  searchIndex(table: TableDefinition<any>): SearchIndex | undefined {
    let index = this.searchIndexes.get(table.name);
    if (index === undefined) {
      index = this.findSearchIndex(table);
      this.searchIndexes.set(table.name, index);
    }
    return index ?? undefined;
  }

  /** Forgets the search indexes found so far (a migration may have added or dropped one). */
  forgetSearchIndexes(): void {
    this.searchIndexes.clear();
  }

  mapError(error: unknown, context: SqlErrorContext = {}) {
    return mapSqliteError(error, { table: context.table, operation: context.operation ?? 'query' });
  }

  async close(): Promise<void> {
    try {
      this.connections.close();
    } finally {
      this.statements.clear();
      this.db.close();
    }
  }

  /** A statement prepared once per text; one that returns rows gives them as arrays. */
  private prepare(text: string): Statement {
    let statement = this.statements.get(text);
    if (statement === undefined) {
      statement = this.db.prepare(text);
      if (statement.reader) statement.raw(true);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private findSearchIndex(table: TableDefinition<any>): SearchIndex | null {
    const name = `${table.name}_search`;
    const definition = this.db
      .prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`)
      .pluck()
      .get(name) as string | undefined;
    // Used only when it covers every searchable column: otherwise it could drop matching rows.
    const indexed = new Set(
      definition && /\bfts5\b/i.test(definition) && /\btrigram\b/i.test(definition)
        ? (this.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(name) as string[])
        : [],
    );
    return indexed.size > 0 && table.searchable.every((c) => indexed.has(c.column))
      ? trigramSearchIndex(table.name, name)
      : null;
  }
}

/**
 * A search index over the FTS5 trigram table `fts`. Its case folding covers at least the ASCII
 * letters LIKE folds, so it never drops a row the scan would find; the LIKE test that follows
 * drops the extra candidates, so results equal the scan's.
 */
function trigramSearchIndex(table: string, fts: string): SearchIndex {
  const source = quoteIdentifier(fts);
  return {
    // A trigram index cannot look up fewer than 3 characters: such texts are scanned.
    serves: (text) => text.length >= 6 || [...text].length >= 3,
    filter: (placeholder) =>
      `${quoteIdentifier(table)}.rowid IN (SELECT rowid FROM ${source} WHERE ${source} MATCH ${placeholder})`,
    // One phrase holding the text literally: inside double quotes only `"` is special (doubled).
    param: (text) => `"${text.replaceAll('"', '""')}"`,
  };
}

function checkSynchronous(value: string): string {
  if (!['OFF', 'NORMAL', 'FULL', 'EXTRA'].includes(value)) {
    throw new ValidationException(`synchronous must be OFF, NORMAL, FULL or EXTRA`, 'synchronous');
  }
  return value;
}
