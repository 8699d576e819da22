import { mkdirSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import {
  RecordNotFoundException,
  TransactionException,
  ValidationException,
  type DatabaseException,
} from '../../exceptions';
import { MigrationRunner, SqliteMigrationDriver } from '../../migrations';
import { normalizeCreate, normalizeUpdate, nowTimestamp } from '../../query/normalize-write';
import {
  checkId,
  checkIds,
  checkWork,
  incrementBounds,
  incrementColumn,
  incrementOutOfRange,
  upsertUpdateColumns,
  requireSoftDelete,
  checkUpsertOptions,
  withRowIndex,
} from '../../query/operation-input';
import { cursorPage } from '../../query/page';
import {
  DEFAULT_PAGE_SIZE,
  DEFAULT_QUERY_LIMITS,
  planCount,
  planFind,
  type QueryLimits,
} from '../../query/plan-query';
import type { QueryPlan } from '../../query/query-plan';
import type {
  CreateInput,
  IBaseEntity,
  TableDefinition,
  UpdateInput,
} from '../../schema/table-definition';
import { TransactionManager } from '../../transactions/transaction-manager';
import type {
  AdapterCapabilities,
  FindByIdOptions,
  FindOptions,
  ICursorPaginatedResult,
  IDatabaseAdapter,
  IFilterOptions,
  IPaginatedResult,
  TransactionHandle,
  UpsertOptions,
  UpsertResult,
} from '../database-adapter.interface';
import { REDACTED, type QueryObserver } from '../query-observer';
import {
  countText,
  entityFromValues,
  pageParams,
  pageText,
  readOffsetPage,
  redactedPageParams,
  planParams,
  quoteIdentifier,
  redactedPlanParams,
  selectText,
  tableSql,
  usesSearchIndex,
  type SearchIndex,
  type TableSql,
} from '../sql';
import { sqliteDialect } from '../sql/sqlite.dialect';
import type { SQLiteAdapterOptions } from './sqlite-adapter.options';
import { closedException, SqliteConnection } from './sqlite-connection';
import { mapSqliteError } from './sqlite-error.mapper';

/** The default database file. */
export const DEFAULT_SQLITE_PATH = './data/database.sqlite';

/** Size figures for health checks. */
export interface SQLiteStorageStats {
  path: string;
  databaseBytes: number;
  walBytes: number;
  /** Free bytes on the file's disk; undefined for `:memory:`. */
  freeDiskBytes?: number;
}

type Statement = Database.Statement<unknown[], unknown>;

/**
 * The SQLite provider, on better-sqlite3.
 *
 * better-sqlite3 is synchronous and has one connection, so transactions hold a lock: while one is
 * open, statements from other async flows wait for it instead of running inside it (see
 * docs/transactions.md). Statements are prepared once per shape and reused.
 */
export class SQLiteAdapter implements IDatabaseAdapter {
  readonly provider = 'sqlite' as const;
  readonly capabilities: AdapterCapabilities = {
    transactions: true,
    savepoints: true,
    migrations: true,
    concurrentTransactions: false,
  };
  /** The resolved database path, or `:memory:`. */
  readonly path: string;

  private readonly db: Database.Database;
  private readonly limits: QueryLimits;
  private readonly observer?: QueryObserver;
  private readonly shared: SqliteConnection;
  private readonly transactions: TransactionManager<Database.Database>;
  private readonly statements = new Map<string, Statement>();
  /** Statements returning rows as arrays, by text. */
  private readonly rawStatements = new Map<string, Statement>();
  /** Each table's FTS5 trigram search index, looked up on first search (null: it has none). */
  private readonly searchIndexes = new Map<string, SearchIndex | null>();
  private closed = false;

  constructor(private readonly options: SQLiteAdapterOptions = {}) {
    const path = options.path ?? DEFAULT_SQLITE_PATH;
    this.path = path === ':memory:' ? path : resolve(path);
    this.limits = { ...DEFAULT_QUERY_LIMITS, ...options.limits };
    this.observer = options.observer;
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
    this.shared = new SqliteConnection(this.db);
    this.transactions = new TransactionManager(this.shared, {
      timeoutMs: options.transactionTimeoutMs,
    });
  }

  /** Opens the database and, unless `migrate: false`, applies pending migrations. */
  static async open(options: SQLiteAdapterOptions = {}): Promise<SQLiteAdapter> {
    const adapter = new SQLiteAdapter(options);
    if (options.migrate ?? true) {
      try {
        await adapter.migrate();
      } catch (error) {
        await adapter.close();
        throw error;
      }
    }
    return adapter;
  }

  /**
   * The better-sqlite3 connection, for what the contract does not cover. Statements run on it
   * bypass the transaction lock.
   */
  get connection(): Database.Database {
    return this.db;
  }

  /** Applies pending migrations from `migrationsDirectory`. */
  async migrate(): Promise<void> {
    await this.shared.lock.acquire();
    try {
      const directory = this.options.migrationsDirectory;
      await new MigrationRunner(
        new SqliteMigrationDriver(this.db),
        directory ? { directory } : {},
      ).up();
      // A migration may have added or dropped a search index.
      this.searchIndexes.clear();
    } finally {
      this.shared.lock.release();
    }
  }

  // ---- writes -------------------------------------------------------------------------------

  async create<T extends IBaseEntity>(data: CreateInput<T>, table: TableDefinition<T>): Promise<T> {
    const sql = tableSql(table, sqliteDialect);
    const values = normalizeCreate(table, data, nowTimestamp());
    const params = sql.insertParams(values);
    await this.run(
      'create',
      table,
      () => this.prepare(sql.insert).run(params),
      sql.insert,
      () => sql.redact(table.columns, params, REDACTED),
    );
    return entityFromValues(table, values);
  }

  async createMany<T extends IBaseEntity>(
    data: readonly CreateInput<T>[],
    table: TableDefinition<T>,
  ): Promise<T[]> {
    if (!Array.isArray(data)) throw new ValidationException('createMany takes an array', 'data');
    const sql = tableSql(table, sqliteDialect);
    const now = nowTimestamp();
    const rows = data.map((item, index) =>
      withRowIndex(index, () => normalizeCreate(table, item, now)),
    );
    if (rows.length === 0) return [];
    const insertAll = (): void => {
      const insert = this.prepare(sql.insert);
      // better-sqlite3 turns this into a SAVEPOINT when a transaction is already open.
      this.db.transaction(() => {
        for (const values of rows) insert.run(sql.insertParams(values));
      })();
    };
    // Atomic: a failure rolls back its own savepoint and leaves the caller's transaction usable.
    await this.run('createMany', table, insertAll, undefined, undefined, true);
    return rows.map((values) => entityFromValues(table, values));
  }

  async upsert<T extends IBaseEntity>(
    data: CreateInput<T>,
    table: TableDefinition<T>,
    options: UpsertOptions<T>,
  ): Promise<UpsertResult<T>> {
    const conflict = checkUpsertOptions(table, options);
    const sql = tableSql(table, sqliteDialect);
    const values = normalizeCreate(table, data, nowTimestamp());
    const updateColumns =
      options.onConflict === 'update' ? upsertUpdateColumns(table, data, conflict) : null;
    const text = sql.upsert(conflict, updateColumns);
    const params = sql.insertParams(values);
    return this.run('upsert', table, () => {
      const row = this.prepareRaw(text).get(params) as unknown[] | undefined;
      if (row) {
        const record = sql.mapRow(row);
        return { record, created: record.id === values.get(table.primaryKey) };
      }
      const existing = this.prepareRaw(sql.findLiveBy(conflict)).get(
        sqliteDialect.encode(conflict, values.get(conflict)),
      );
      if (!existing)
        throw new TransactionException(`upsert on ${table.name}: the conflicting row vanished`, {
          retryable: true,
        });
      return { record: sql.mapRow(existing as unknown[]), created: false };
    });
  }

  async update<T extends IBaseEntity>(
    id: string,
    data: UpdateInput<T>,
    table: TableDefinition<T>,
  ): Promise<T> {
    const key = checkId(table, id);
    const values = normalizeUpdate(table, data, nowTimestamp());
    const sql = tableSql(table, sqliteDialect);
    const columns = [...values.keys()];
    const text = sql.update(columns);
    const params = [...columns.map((c) => sqliteDialect.encode(c, values.get(c))), key];
    const row = await this.run(
      'update',
      table,
      () => this.prepareRaw(text).get(params) as unknown[] | undefined,
      text,
      () => sql.redact(columns, params, REDACTED),
    );
    if (!row) throw new RecordNotFoundException(table.name, key);
    return sql.mapRow(row);
  }

  async increment<T extends IBaseEntity>(
    id: string,
    field: keyof T & string,
    by: number,
    table: TableDefinition<T>,
    data: UpdateInput<T> = {},
  ): Promise<T> {
    const key = checkId(table, id);
    const counter = incrementColumn(table, field, by);
    const values = normalizeUpdate(table, data, nowTimestamp());
    values.delete(counter);
    const sql = tableSql(table, sqliteDialect);
    const columns = [...values.keys()];
    const text = sql.increment(counter, columns);
    const sets = columns.map((c) => sqliteDialect.encode(c, values.get(c)));
    const bounds = incrementBounds(counter, by);
    const params = [by, ...sets, key, ...bounds];
    const row = await this.run(
      'increment',
      table,
      () => this.prepareRaw(text).get(params) as unknown[] | undefined,
      text,
      () => [by, ...sql.redact(columns, sets, REDACTED), key, ...bounds],
    );
    if (row) return sql.mapRow(row);
    if (await this.exists(key, table)) throw incrementOutOfRange(table, counter);
    throw new RecordNotFoundException(table.name, key);
  }

  async softDelete<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<void> {
    const key = checkId(table, id);
    const sql = tableSql(table, sqliteDialect);
    requireSoftDelete(table);
    const now = nowTimestamp();
    const result = await this.run('softDelete', table, () =>
      this.prepare(sql.softDelete).run(now, now, key),
    );
    if (result.changes === 0) throw new RecordNotFoundException(table.name, key);
  }

  async restore<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<T> {
    const key = checkId(table, id);
    const sql = tableSql(table, sqliteDialect);
    requireSoftDelete(table);
    const now = nowTimestamp();
    const row = await this.run(
      'restore',
      table,
      () => this.prepareRaw(sql.restore).get(now, key) as unknown[] | undefined,
    );
    if (!row) throw new RecordNotFoundException(table.name, key);
    return sql.mapRow(row);
  }

  async hardDelete<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<void> {
    const key = checkId(table, id);
    const sql = tableSql(table, sqliteDialect);
    const result = await this.run('hardDelete', table, () => this.prepare(sql.hardDelete).run(key));
    if (result.changes === 0) throw new RecordNotFoundException(table.name, key);
  }

  // ---- reads --------------------------------------------------------------------------------

  async findById<T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<T | null> {
    const key = checkId(table, id);
    const sql = tableSql(table, sqliteDialect);
    const text = options?.includeDeleted ? sql.findByIdWithDeleted : sql.findById;
    const row = await this.run(
      'findById',
      table,
      () => this.prepareRaw(text).get(key) as unknown[] | undefined,
      text,
      () => [key],
    );
    return row ? sql.mapRow(row) : null;
  }

  async findByIds<T extends IBaseEntity>(
    ids: readonly string[],
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<T[]> {
    const keys = checkIds(table, ids, this.limits.maxInListSize);
    if (keys.length === 0) return [];
    const sql = tableSql(table, sqliteDialect);
    const text = options?.includeDeleted ? sql.findByIdsWithDeleted : sql.findByIds;
    const param = sqliteDialect.inListParam(table.primaryKey, keys);
    const rows = await this.run(
      'findByIds',
      table,
      () => this.prepareRaw(text).all(param) as unknown[][],
      text,
      () => [param],
    );
    return rows.map(sql.mapRow);
  }

  async findMany<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<T[]> {
    return this.select('findMany', planFind(table, options, this.limits), table);
  }

  async findFirst<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<T | null> {
    const rows = await this.select(
      'findFirst',
      planFind(table, options, this.limits, { limit: 1 }),
      table,
    );
    return rows[0] ?? null;
  }

  async findPage<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<IPaginatedResult<T> | ICursorPaginatedResult<T>> {
    const plan = planFind(table, options, this.limits, {
      lookAhead: true,
      defaultPageSize: DEFAULT_PAGE_SIZE,
    });
    if (plan.cursor) return cursorPage(plan, await this.select('findPage', plan, table));
    const countPlan = planCount(table, options?.filters, options?.includeDeleted, this.limits);
    return readOffsetPage(
      plan,
      () =>
        this.run(
          'findPage',
          table,
          () => this.pageNow(plan),
          () => pageText(plan, sqliteDialect, this.searchIndex(table)),
          () => redactedPageParams(plan, sqliteDialect, REDACTED, this.searchIndex(table)),
        ),
      () => this.run('findPage', table, () => this.countNow(countPlan)),
      tableSql(table, sqliteDialect).mapRow,
    );
  }

  async count<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<number> {
    const plan = planCount(table, filters, options?.includeDeleted, this.limits);
    return this.run(
      'count',
      table,
      () => this.countNow(plan),
      () => countText(plan, sqliteDialect, this.searchIndex(table)),
      () => redactedPlanParams(plan, sqliteDialect, REDACTED, this.searchIndex(table)),
    );
  }

  async exists<T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<boolean> {
    const key = checkId(table, id);
    const sql = tableSql(table, sqliteDialect);
    const text = options?.includeDeleted ? sql.existsWithDeleted : sql.exists;
    return this.run(
      'exists',
      table,
      () => this.prepare(text).pluck().get(key) !== undefined,
      text,
      () => [key],
    );
  }

  // ---- transactions -------------------------------------------------------------------------

  async transaction<R>(work: () => Promise<R>): Promise<R> {
    checkWork(work);
    return this.transactions.run(work);
  }

  /**
   * Opens a transaction that the calling async context joins. Not `async` on purpose: the context
   * must be entered synchronously in the caller's execution, or the caller would not see it.
   */
  beginTransaction(): Promise<TransactionHandle> {
    return this.transactions.begin();
  }

  commitTransaction(handle?: TransactionHandle): Promise<void> {
    return this.transactions.finish('COMMIT', handle);
  }

  rollbackTransaction(handle?: TransactionHandle): Promise<void> {
    return this.transactions.finish('ROLLBACK', handle);
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /**
   * A round trip that reads nothing, so it need not wait for another flow's open transaction:
   * a health check answers at once even while a long transaction holds the connection.
   */
  async ping(): Promise<void> {
    this.observed('ping', undefined, () => this.prepare('SELECT 1').get());
  }

  /** Rolls back an open transaction, fails every waiting statement, and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.transactions.close();
    this.shared.close();
    this.statements.clear();
    this.rawStatements.clear();
    this.db.close();
  }

  /** File, WAL and free-disk sizes, for the health service. */
  async storageStats(): Promise<SQLiteStorageStats> {
    if (this.path === ':memory:') {
      const pages = this.db.pragma('page_count', { simple: true }) as number;
      const size = this.db.pragma('page_size', { simple: true }) as number;
      return { path: this.path, databaseBytes: pages * size, walBytes: 0 };
    }
    const fileSize = (file: string) => {
      try {
        return statSync(file).size;
      } catch {
        return 0;
      }
    };
    const disk = statfsSync(dirname(this.path));
    return {
      path: this.path,
      databaseBytes: fileSize(this.path),
      walBytes: fileSize(`${this.path}-wal`),
      freeDiskBytes: disk.bavail * disk.bsize,
    };
  }

  /** Exact row counts (live and soft-deleted) of every table, for metrics. */
  async tableRowCounts(): Promise<Record<string, number>> {
    return this.run('tableRowCounts', undefined, () => {
      const tables = this.prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
      )
        .pluck()
        .all() as string[];
      // Table names come from the schema itself, and are quoted.
      return Object.fromEntries(
        tables.map((name) => [
          name,
          this.db
            .prepare(`SELECT COUNT(*) FROM "${name.replace(/"/g, '""')}"`)
            .pluck()
            .get() as number,
        ]),
      );
    });
  }

  // ---- internals ----------------------------------------------------------------------------

  private prepare(text: string): Statement {
    let statement = this.statements.get(text);
    if (statement === undefined) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  /** A prepared statement returning rows as arrays in `table.columns` order. */
  private prepareRaw(text: string): Statement {
    // A map of its own: a `raw:` prefix would build and hash a new key string on every call.
    let statement = this.rawStatements.get(text);
    if (statement === undefined) {
      statement = this.db.prepare(text).raw(true);
      this.rawStatements.set(text, statement);
    }
    return statement;
  }

  private select<T extends IBaseEntity>(
    operation: string,
    plan: QueryPlan,
    table: TableDefinition<T>,
  ): Promise<T[]> {
    return this.run(
      operation,
      table,
      () => this.selectNow(plan, table),
      () => selectText(plan, sqliteDialect, this.searchIndex(table)),
      () => redactedPlanParams(plan, sqliteDialect, REDACTED, this.searchIndex(table)),
    );
  }

  private selectNow<T extends IBaseEntity>(plan: QueryPlan, table: TableDefinition<T>): T[] {
    if (plan.conditions.some((c) => c.kind === 'never')) return [];
    const sql: TableSql<T> = tableSql(table, sqliteDialect);
    const index = this.searchIndex(table);
    const statement = this.planStatement(plan, 'select', index);
    return (statement.all(planParams(plan, sqliteDialect, index)) as unknown[][]).map(sql.mapRow);
  }

  /** An offset page's rows, each with the total as an extra last column. */
  private pageNow(plan: QueryPlan): unknown[][] {
    if (plan.conditions.some((c) => c.kind === 'never')) return [];
    const index = this.searchIndex(plan.table);
    return this.planStatement(plan, 'page', index).all(
      pageParams(plan, sqliteDialect, index),
    ) as unknown[][];
  }

  private countNow(plan: QueryPlan): number {
    if (plan.conditions.some((c) => c.kind === 'never')) return 0;
    const index = this.searchIndex(plan.table);
    return this.planStatement(plan, 'count', index).get(
      planParams(plan, sqliteDialect, index),
    ) as number;
  }

  private planStatement(
    plan: QueryPlan,
    kind: 'select' | 'page' | 'count',
    index: SearchIndex | undefined,
  ): Statement {
    // A search the index serves has other text than the same plan's LIKE scan (short texts).
    const key = `${kind}:${plan.shape}${usesSearchIndex(plan, index) ? ':indexed' : ''}`;
    let statement = this.statements.get(key);
    if (statement === undefined) {
      statement =
        kind === 'count'
          ? this.db.prepare(countText(plan, sqliteDialect, index)).pluck()
          : this.db
              .prepare((kind === 'page' ? pageText : selectText)(plan, sqliteDialect, index))
              .raw(true);
      this.statements.set(key, statement);
    }
    return statement;
  }

  /**
   * The search index of a table: an FTS5 table named `<table>_search` with the trigram tokenizer
   * over its searchable columns, whose rowids are the table's (migrations/sqlite/0005 makes the
   * users' one). Looked up once per table; undefined when there is none.
   */
  private searchIndex(table: TableDefinition<any>): SearchIndex | undefined {
    let index = this.searchIndexes.get(table.name);
    if (index === undefined) {
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
      index =
        indexed.size > 0 && table.searchable.every((c) => indexed.has(c.column))
          ? trigramSearchIndex(table.name, name)
          : null;
      this.searchIndexes.set(table.name, index);
    }
    return index ?? undefined;
  }

  /**
   * Runs one synchronous database step for the calling flow (see {@link TransactionManager}):
   * inside its transaction when it has one, else after any open transaction of another flow.
   * Maps errors and reports the event. `atomic`: the step undoes itself when it fails.
   */
  private async run<R>(
    operation: string,
    table: TableDefinition<any> | undefined,
    step: () => R,
    statement?: string | (() => string),
    params?: () => unknown[],
    atomic = false,
  ): Promise<R> {
    return this.transactions.execute(
      () => this.observed(operation, table, step, statement, params),
      atomic,
    );
  }

  private observed<R>(
    operation: string,
    table: TableDefinition<any> | undefined,
    step: () => R,
    statement?: string | (() => string),
    params?: () => unknown[],
  ): R {
    const observer = this.observer;
    if (this.closed) throw closedException();
    if (!observer) {
      try {
        return step();
      } catch (error) {
        throw mapSqliteError(error, { table, operation });
      }
    }
    const start = performance.now();
    let failure: DatabaseException | undefined;
    try {
      return step();
    } catch (error) {
      failure = mapSqliteError(error, { table, operation });
      throw failure;
    } finally {
      const event = {
        provider: this.provider,
        operation,
        table: table?.name ?? '',
        durationMs: performance.now() - start,
        error: failure,
        statement: undefined as string | undefined,
        params: undefined as unknown[] | undefined,
      };
      if (observer.wantsStatements) {
        event.statement = typeof statement === 'function' ? statement() : statement;
        event.params = params?.();
      }
      observer.onQuery(event);
    }
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
