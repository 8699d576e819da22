import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import {
  ConnectionException,
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
  incrementColumn,
  upsertUpdateColumns,
  requireSoftDelete,
  checkUpsertOptions,
  withRowIndex,
} from '../../query/operation-input';
import { cursorPage, offsetPage } from '../../query/page';
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
import { ConnectionLock } from '../../transactions/connection-lock';
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
import { mapSqliteError } from './sqlite-error.mapper';

/** The default database file. */
export const DEFAULT_SQLITE_PATH = './data/database.sqlite';

/** A top-level transaction on the single connection. */
interface RootTransaction {
  readonly id: number;
  active: boolean;
  savepoints: number;
  timer?: NodeJS.Timeout;
}

/** Where an async flow stands inside a transaction: nested transactions of one scope queue up. */
interface TransactionScope {
  readonly root: RootTransaction;
  readonly children: ConnectionLock;
}

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
  private readonly transactionTimeoutMs: number;
  private readonly lock = new ConnectionLock();
  private readonly context = new AsyncLocalStorage<TransactionScope>();
  private readonly statements = new Map<string, Statement>();
  /** Statements returning rows as arrays, by text. */
  private readonly rawStatements = new Map<string, Statement>();
  /** Each table's FTS5 trigram search index, looked up on first search (null: it has none). */
  private readonly searchIndexes = new Map<string, SearchIndex | null>();
  private current?: RootTransaction;
  private transactionCount = 0;
  private closed = false;

  constructor(private readonly options: SQLiteAdapterOptions = {}) {
    const path = options.path ?? DEFAULT_SQLITE_PATH;
    this.path = path === ':memory:' ? path : resolve(path);
    this.limits = { ...DEFAULT_QUERY_LIMITS, ...options.limits };
    this.observer = options.observer;
    this.transactionTimeoutMs = options.transactionTimeoutMs ?? 30_000;
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
    await this.lock.acquire();
    try {
      const directory = this.options.migrationsDirectory;
      await new MigrationRunner(
        new SqliteMigrationDriver(this.db),
        directory ? { directory } : {},
      ).up();
      // A migration may have added or dropped a search index.
      this.searchIndexes.clear();
    } finally {
      this.lock.release();
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
    await this.run('createMany', table, () => {
      const insert = this.prepare(sql.insert);
      // better-sqlite3 turns this into a SAVEPOINT when a transaction is already open.
      this.db.transaction(() => {
        for (const values of rows) insert.run(sql.insertParams(values));
      })();
    });
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
    const params = [by, ...columns.map((c) => sqliteDialect.encode(c, values.get(c))), key];
    const row = await this.run(
      'increment',
      table,
      () => this.prepareRaw(text).get(params) as unknown[] | undefined,
      text,
      () => [by, ...sql.redact(columns, params.slice(1, -1), REDACTED), key],
    );
    if (!row) throw new RecordNotFoundException(table.name, key);
    return sql.mapRow(row);
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
    // Both statements run under one lock hold, so the total matches the page.
    const [rows, total] = await this.run(
      'findPage',
      table,
      () => [this.selectNow(plan, table), this.countNow(countPlan)] as const,
    );
    return offsetPage(plan, rows, total);
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
    const scope = this.activeScope();
    if (scope) return this.savepoint(scope, work);
    const root = this.newRoot();
    await this.begin('transaction', root);
    try {
      const result = await this.context.run({ root, children: new ConnectionLock() }, work);
      this.finish(root, 'COMMIT');
      return result;
    } catch (error) {
      if (root.active) this.finish(root, 'ROLLBACK');
      throw error;
    }
  }

  /**
   * Opens a transaction that the calling async context joins. Not `async` on purpose: the context
   * must be entered synchronously in the caller's execution, or the caller would not see it.
   */
  beginTransaction(): Promise<TransactionHandle> {
    if (this.activeScope()) {
      return Promise.reject(
        new TransactionException(
          'A transaction is already open in this context; nest with transaction()',
        ),
      );
    }
    const root = this.newRoot();
    this.context.enterWith({ root, children: new ConnectionLock() });
    return this.begin('beginTransaction', root).then(() => {
      root.timer = setTimeout(() => {
        if (root.active) this.finish(root, 'ROLLBACK');
      }, this.transactionTimeoutMs);
      root.timer.unref();
      return { id: root.id };
    });
  }

  async commitTransaction(handle?: TransactionHandle): Promise<void> {
    this.finish(this.handleRoot(handle, 'commit'), 'COMMIT');
  }

  async rollbackTransaction(handle?: TransactionHandle): Promise<void> {
    this.finish(this.handleRoot(handle, 'roll back'), 'ROLLBACK');
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  async ping(): Promise<void> {
    await this.run('ping', undefined, () => this.prepare('SELECT 1').get());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.current?.timer) clearTimeout(this.current.timer);
    this.statements.clear();
    this.rawStatements.clear();
    // Closing rolls back an open transaction; waiters then fail with ConnectionException.
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

  private countNow(plan: QueryPlan): number {
    if (plan.conditions.some((c) => c.kind === 'never')) return 0;
    const index = this.searchIndex(plan.table);
    return this.planStatement(plan, 'count', index).get(
      planParams(plan, sqliteDialect, index),
    ) as number;
  }

  private planStatement(
    plan: QueryPlan,
    kind: 'select' | 'count',
    index: SearchIndex | undefined,
  ): Statement {
    // A search the index serves has other text than the same plan's LIKE scan (short texts).
    const key = `${kind}:${plan.shape}${usesSearchIndex(plan, index) ? ':indexed' : ''}`;
    let statement = this.statements.get(key);
    if (statement === undefined) {
      statement =
        kind === 'select'
          ? this.db.prepare(selectText(plan, sqliteDialect, index)).raw(true)
          : this.db.prepare(countText(plan, sqliteDialect, index)).pluck();
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
   * Runs one synchronous database step: inside the caller's transaction when it has one, else
   * after any open transaction of another flow has finished. Maps errors and reports the event.
   */
  private async run<R>(
    operation: string,
    table: TableDefinition<any> | undefined,
    step: () => R,
    statement?: string | (() => string),
    params?: () => unknown[],
  ): Promise<R> {
    if (this.lock.isHeld && !this.activeScope()) {
      await this.lock.acquire();
      try {
        return this.observed(operation, table, step, statement, params);
      } finally {
        this.lock.release();
      }
    }
    return this.observed(operation, table, step, statement, params);
  }

  private observed<R>(
    operation: string,
    table: TableDefinition<any> | undefined,
    step: () => R,
    statement?: string | (() => string),
    params?: () => unknown[],
  ): R {
    const observer = this.observer;
    if (this.closed)
      throw new ConnectionException('The SQLite adapter is closed', { retryable: false });
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

  private activeScope(): TransactionScope | undefined {
    const scope = this.context.getStore();
    return scope && scope.root.active && scope.root === this.current ? scope : undefined;
  }

  private newRoot(): RootTransaction {
    return { id: ++this.transactionCount, active: false, savepoints: 0 };
  }

  private async begin(operation: string, root: RootTransaction): Promise<void> {
    if (this.closed)
      throw new ConnectionException('The SQLite adapter is closed', { retryable: false });
    await this.lock.acquire();
    try {
      // IMMEDIATE takes the write lock now, so another process cannot make COMMIT fail with BUSY.
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      this.lock.release();
      throw mapSqliteError(error, { operation });
    }
    root.active = true;
    this.current = root;
  }

  private finish(root: RootTransaction, verb: 'COMMIT' | 'ROLLBACK'): void {
    if (!root.active)
      throw new TransactionException(
        'The transaction has already ended (committed, rolled back or timed out)',
      );
    try {
      this.db.exec(verb);
    } catch (error) {
      if (verb === 'COMMIT' && this.db.inTransaction) this.db.exec('ROLLBACK');
      throw new TransactionException(`${verb} failed; the transaction was rolled back`, {
        cause: mapSqliteError(error, { operation: verb.toLowerCase() }),
      });
    } finally {
      root.active = false;
      if (root.timer) clearTimeout(root.timer);
      if (this.current === root) this.current = undefined;
      this.lock.release();
    }
  }

  private handleRoot(handle: TransactionHandle | undefined, verb: string): RootTransaction {
    const root = handle ? this.current : this.activeScope()?.root;
    if (!root || (handle && root.id !== handle.id) || !root.active) {
      throw new TransactionException(`No open transaction to ${verb}`);
    }
    return root;
  }

  private async savepoint<R>(scope: TransactionScope, work: () => Promise<R>): Promise<R> {
    // Sibling savepoints of one scope run one after another: interleaved, a rollback of one would
    // undo the other's work.
    await scope.children.acquire();
    const name = `sp_${++scope.root.savepoints}`;
    try {
      this.exec(`SAVEPOINT ${name}`);
      try {
        const result = await this.context.run(
          { root: scope.root, children: new ConnectionLock() },
          work,
        );
        this.exec(`RELEASE ${name}`);
        return result;
      } catch (error) {
        if (scope.root.active) {
          this.exec(`ROLLBACK TO ${name}`);
          this.exec(`RELEASE ${name}`);
        }
        throw error;
      }
    } finally {
      scope.children.release();
    }
  }

  private exec(text: string): void {
    try {
      this.db.exec(text);
    } catch (error) {
      throw mapSqliteError(error, { operation: 'transaction' });
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
