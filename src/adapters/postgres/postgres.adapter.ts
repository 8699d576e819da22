import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import { Pool, type QueryArrayConfig, type QueryArrayResult } from 'pg';
import {
  DatabaseException,
  RecordNotFoundException,
  TransactionException,
  ValidationException,
} from '../../exceptions';
import {
  normalizeCreate,
  normalizeUpdate,
  nowTimestamp,
  type WriteValues,
} from '../../query/normalize-write';
import {
  checkId,
  checkIds,
  checkWork,
  checkUpsertOptions,
  incrementBounds,
  incrementColumn,
  incrementOutOfRange,
  requireSoftDelete,
  upsertUpdateColumns,
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
import { type QueryEvent, type QueryObserver, REDACTED } from '../query-observer';
import {
  countText,
  entityFromValues,
  pageParams,
  pageText,
  readOffsetPage,
  redactedPageParams,
  planParams,
  postgresDialect,
  redactedPlanParams,
  selectText,
  tableSql,
  type TableSql,
} from '../sql';
import {
  poolConfig,
  type PostgresAdapterOptions,
  type ResolvedPostgresOptions,
  resolvePostgresOptions,
} from './postgres-adapter.options';
import { describeServer, waitForServer } from './postgres-connect';
import { queryWithDeadline } from './postgres-statement-deadline';
import {
  isStalePreparedStatement,
  StatementNames,
  staleStatementInTransaction,
} from './postgres-statement-names';
import { PostgresMigrationDriver } from '../../migrations/drivers/postgres-migration.driver';
import { MigrationRunner } from '../../migrations/migration-runner';
import { mapPostgresError } from './postgres-error.mapper';
import { TransactionManager } from '../../transactions/transaction-manager';
import { type CheckedOutClient, checkOut, PostgresConnections } from './postgres-connections';
import { type ClaimsRunner, type PostgresClaims, PostgresUserScope } from './postgres-user.scope';

/** A statement to send: text, bound values and, for query logs, the values redacted. */
interface Statement {
  text: string;
  values: unknown[];
  /**
   * Never prepare as a named statement, even when named statements are on: after five runs
   * Postgres may switch a named statement to a generic plan that ignores the values, which
   * turns a selective filter or a trigram search into a scan. Set for plan-built reads.
   */
  valueDependentPlan?: boolean;
  /** Builds the values with sensitive ones replaced; only called when statements are observed. */
  redacted?: () => readonly unknown[];
}

/** The statements of one operation, collected for the observer when it wants them. */
interface StatementTrace {
  statement?: string;
  params?: unknown[];
}

/** How many plan texts are cached before the cache starts over. */
const CACHE_LIMIT = 5_000;

const CAPABILITIES: AdapterCapabilities = Object.freeze({
  transactions: true,
  savepoints: true,
  migrations: true,
  concurrentTransactions: true,
});

/**
 * The PostgreSQL provider: a direct connection (through node-postgres' pool) to Supabase's
 * database or any PostgreSQL server, with real transactions, savepoints, migrations and typed
 * errors. Open it with {@link PostgresAdapter.open}.
 *
 * @example
 * const adapter = await PostgresAdapter.open({
 *   connectionString: process.env.DATABASE_URL!,
 *   migrate: true,
 * });
 * await adapter.transaction(async () => {
 *   const user = await users.create({ ... }); // joins the transaction
 *   await payments.create({ userId: user.id, ... });
 * });
 */
export class PostgresAdapter implements IDatabaseAdapter {
  readonly provider = 'postgres' as const;
  readonly capabilities = CAPABILITIES;

  private readonly logger = new Logger('PostgresAdapter');
  private readonly transactions: TransactionManager<CheckedOutClient>;
  private readonly limits: QueryLimits;
  private readonly observer?: QueryObserver;
  private readonly statementNames = new StatementNames();
  private readonly planTexts = new Map<string, string>();
  private closing?: Promise<void>;

  private constructor(
    /** The node-postgres pool; exposed for migrations and tests, not for queries. */
    readonly pool: Pool,
    /** The options with every default filled in. */
    readonly settings: ResolvedPostgresOptions,
    options: PostgresAdapterOptions,
  ) {
    this.transactions = new TransactionManager(
      new PostgresConnections(pool, settings.beginStatement),
      { timeoutMs: options.transactionTimeoutMs },
    );
    this.limits = { ...DEFAULT_QUERY_LIMITS, ...options.limits };
    this.observer = options.observer;
    // An idle pooled connection the server drops emits `error`; unhandled it would end the process.
    pool.on('error', (error) => {
      this.logger.warn(`An idle PostgreSQL connection failed and was discarded: ${error.message}`);
    });
  }

  /**
   * Creates the pool, checks the server answers when `connectWaitMs` is set or `migrate` is on
   * (retrying while it is unreachable, for up to `connectWaitMs`), and with `migrate: true`
   * applies pending migrations under the migration lock. Without either, connections open
   * lazily; call {@link ping} to check the server is reachable.
   *
   * @throws TypeError on malformed options; a ConnectionException when the server stays
   * unreachable; a MigrationException when migrating fails.
   */
  static async open(options: PostgresAdapterOptions): Promise<PostgresAdapter> {
    const settings = resolvePostgresOptions(options);
    const adapter = new PostgresAdapter(new Pool(poolConfig(settings)), settings, options);
    try {
      if (settings.connectWaitMs !== undefined || options.migrate) {
        // A refused or unreachable server says so here, not as a failed migration.
        await waitForServer(
          () => adapter.query({ text: 'SELECT 1', values: [] }, undefined),
          settings.connectWaitMs ?? 0,
          describeServer(settings.connectionString),
        );
      }
      if (options.migrate) {
        const driver = new PostgresMigrationDriver(adapter.pool, {
          lockTimeoutMs: settings.migrationLockTimeoutMs,
          log: (line) => adapter.logger.warn(line),
        });
        await new MigrationRunner(driver, { directory: options.migrationsDirectory }).up();
      }
    } catch (error) {
      await adapter.close();
      throw mapPostgresError(error);
    }
    return adapter;
  }

  async create<T extends IBaseEntity>(data: CreateInput<T>, table: TableDefinition<T>): Promise<T> {
    return this.observe('create', table, async (trace) => {
      const sql = tableSql(table, postgresDialect);
      const values = normalizeCreate(table, data, nowTimestamp());
      await this.query(this.insertStatement(sql, values), trace);
      return entityFromValues(table, values);
    });
  }

  async createMany<T extends IBaseEntity>(
    data: readonly CreateInput<T>[],
    table: TableDefinition<T>,
  ): Promise<T[]> {
    return this.observe('createMany', table, async (trace) => {
      if (!Array.isArray(data)) throw new ValidationException('createMany takes an array', 'data');
      const sql = tableSql(table, postgresDialect);
      const now = nowTimestamp();
      // Every row is validated before the first insert, so bad input never opens a transaction.
      const rows = data.map((row, index) =>
        withRowIndex(index, () => normalizeCreate(table, row, now)),
      );
      if (rows.length === 0) return [];
      await this.transactions.run(async () => {
        for (const values of rows) await this.query(this.insertStatement(sql, values), trace);
      });
      return rows.map((values) => entityFromValues(table, values));
    });
  }

  async upsert<T extends IBaseEntity>(
    data: CreateInput<T>,
    table: TableDefinition<T>,
    options: UpsertOptions<T>,
  ): Promise<UpsertResult<T>> {
    return this.observe('upsert', table, async (trace) => {
      const conflict = checkUpsertOptions(table, options);
      const sql = tableSql(table, postgresDialect);
      const now = nowTimestamp();
      const values = normalizeCreate(table, data, now);
      const updateColumns =
        options.onConflict === 'update' ? upsertUpdateColumns(table, data, conflict) : null;
      const insert = this.insertStatement(sql, values);
      const statement = { ...insert, text: sql.upsert(conflict, updateColumns) };
      // DO NOTHING returns no row; the live row is then read. Should it be deleted in between,
      // the insert is tried again.
      for (let attempt = 0; attempt < 3; attempt++) {
        const inserted = await this.query(statement, trace);
        if (inserted.rows.length > 0) {
          const record = sql.mapRow(inserted.rows[0]);
          return { record, created: record.id === values.get(table.primaryKey) };
        }
        const existing = await this.query(
          {
            text: sql.findLiveBy(conflict),
            values: [postgresDialect.encode(conflict, values.get(conflict))],
          },
          trace,
        );
        if (existing.rows.length > 0)
          return { record: sql.mapRow(existing.rows[0]), created: false };
      }
      throw new RecordNotFoundException(table.name, String(values.get(conflict)));
    });
  }

  async findById<T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<T | null> {
    return this.observe('findById', table, async (trace) => {
      const sql = tableSql(table, postgresDialect);
      const key = checkId(table, id);
      const text = options?.includeDeleted ? sql.findByIdWithDeleted : sql.findById;
      const result = await this.query({ text, values: [key] }, trace);
      return result.rows.length > 0 ? sql.mapRow(result.rows[0]) : null;
    });
  }

  async findByIds<T extends IBaseEntity>(
    ids: readonly string[],
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<T[]> {
    return this.observe('findByIds', table, async (trace) => {
      const keys = checkIds(table, ids, this.limits.maxInListSize);
      if (keys.length === 0) return [];
      const sql = tableSql(table, postgresDialect);
      const text = options?.includeDeleted ? sql.findByIdsWithDeleted : sql.findByIds;
      const result = await this.query({ text, values: [keys] }, trace);
      return result.rows.map(sql.mapRow);
    });
  }

  async findMany<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<T[]> {
    return this.observe('findMany', table, (trace) =>
      this.select(planFind(table, options, this.limits), trace),
    );
  }

  async findPage<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<IPaginatedResult<T> | ICursorPaginatedResult<T>> {
    return this.observe('findPage', table, async (trace) => {
      const plan = planFind(table, options, this.limits, {
        lookAhead: true,
        defaultPageSize: DEFAULT_PAGE_SIZE,
      });
      if (plan.cursor) return cursorPage(plan, await this.select<T>(plan, trace));
      const counted = planCount(table, options?.filters, options?.includeDeleted, this.limits);
      const text = this.planText(`p|${plan.shape}`, () => pageText(plan, postgresDialect));
      return readOffsetPage(
        plan,
        async () => {
          const statement = {
            text,
            valueDependentPlan: true,
            values: pageParams(plan, postgresDialect),
            redacted: () => redactedPageParams(plan, postgresDialect, REDACTED),
          };
          return (await this.query(statement, trace)).rows;
        },
        () => this.countRows(counted, trace),
        tableSql(table, postgresDialect).mapRow,
      );
    });
  }

  async findFirst<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<T | null> {
    return this.observe('findFirst', table, async (trace) => {
      const rows = await this.select<T>(planFind(table, options, this.limits, { limit: 1 }), trace);
      return rows[0] ?? null;
    });
  }

  async count<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<number> {
    return this.observe('count', table, (trace) =>
      this.countRows(planCount(table, filters, options?.includeDeleted, this.limits), trace),
    );
  }

  async exists<T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<boolean> {
    return this.observe('exists', table, async (trace) => {
      const sql = tableSql(table, postgresDialect);
      const key = checkId(table, id);
      const text = options?.includeDeleted ? sql.existsWithDeleted : sql.exists;
      const result = await this.query({ text, values: [key] }, trace);
      return result.rows.length > 0;
    });
  }

  async update<T extends IBaseEntity>(
    id: string,
    data: UpdateInput<T>,
    table: TableDefinition<T>,
  ): Promise<T> {
    return this.observe('update', table, async (trace) => {
      const sql = tableSql(table, postgresDialect);
      const key = checkId(table, id);
      const values = normalizeUpdate(table, data, nowTimestamp());
      const columns = [...values.keys()];
      const params = [...columns.map((c) => postgresDialect.encode(c, values.get(c))), key];
      const result = await this.query(
        {
          text: sql.update(columns),
          values: params,
          redacted: () => sql.redact(columns, params, REDACTED),
        },
        trace,
      );
      if (result.rows.length === 0) throw new RecordNotFoundException(table.name, key);
      return sql.mapRow(result.rows[0]);
    });
  }

  async increment<T extends IBaseEntity>(
    id: string,
    field: keyof T & string,
    by: number,
    table: TableDefinition<T>,
    data: UpdateInput<T> = {},
  ): Promise<T> {
    return this.observe('increment', table, async (trace) => {
      const sql = tableSql(table, postgresDialect);
      const key = checkId(table, id);
      const counter = incrementColumn(table, field, by);
      const values = normalizeUpdate(table, data, nowTimestamp());
      values.delete(counter);
      const columns = [...values.keys()];
      const sets = columns.map((c) => postgresDialect.encode(c, values.get(c)));
      const bounds = incrementBounds(counter, by);
      const result = await this.query(
        {
          text: sql.increment(counter, columns),
          values: [by, ...sets, key, ...bounds],
          redacted: () => [by, ...sql.redact(columns, sets, REDACTED), key, ...bounds],
        },
        trace,
      );
      if (result.rows.length > 0) return sql.mapRow(result.rows[0]);
      const live = await this.query({ text: sql.exists, values: [key] }, trace);
      if (live.rows.length > 0) throw incrementOutOfRange(table, counter);
      throw new RecordNotFoundException(table.name, key);
    });
  }

  async softDelete<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<void> {
    return this.observe('softDelete', table, async (trace) => {
      const sql = tableSql(table, postgresDialect);
      const key = checkId(table, id);
      requireSoftDelete(table);
      const now = nowTimestamp();
      const result = await this.query({ text: sql.softDelete, values: [now, now, key] }, trace);
      if (result.rowCount === 0) throw new RecordNotFoundException(table.name, key);
    });
  }

  async restore<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<T> {
    return this.observe('restore', table, async (trace) => {
      const sql = tableSql(table, postgresDialect);
      const key = checkId(table, id);
      requireSoftDelete(table);
      const result = await this.query({ text: sql.restore, values: [nowTimestamp(), key] }, trace);
      if (result.rows.length === 0) throw new RecordNotFoundException(table.name, key);
      return sql.mapRow(result.rows[0]);
    });
  }

  async hardDelete<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<void> {
    return this.observe('hardDelete', table, async (trace) => {
      const sql = tableSql(table, postgresDialect);
      const key = checkId(table, id);
      const result = await this.query({ text: sql.hardDelete, values: [key] }, trace);
      if (result.rowCount === 0) throw new RecordNotFoundException(table.name, key);
    });
  }

  async transaction<R>(work: () => Promise<R>): Promise<R> {
    checkWork(work);
    return this.reported('transaction', () => this.transactions.run(work));
  }

  async beginTransaction(): Promise<TransactionHandle> {
    return this.reported('beginTransaction', () => this.transactions.begin());
  }

  async commitTransaction(handle?: TransactionHandle): Promise<void> {
    return this.reported('commitTransaction', () => this.transactions.finish('COMMIT', handle));
  }

  async rollbackTransaction(handle?: TransactionHandle): Promise<void> {
    return this.reported('rollbackTransaction', () => this.transactions.finish('ROLLBACK', handle));
  }

  /**
   * A view of this adapter whose every call runs as the user of these JWT claims, so row-level
   * security policies apply as they do behind Supabase's PostgREST: each call is a transaction
   * (a savepoint inside one) beginning with `SET LOCAL ROLE` (`claims.role`, default
   * `authenticated`) and `set_config('request.jwt.claims', claims, true)`, which `auth.uid()`
   * reads. Pass claims from a verified token only.
   *
   * @throws ValidationException when `claims.sub` is not a non-empty string.
   */
  withClaims(claims: PostgresClaims): PostgresUserScope {
    checkClaims(claims);
    return new PostgresUserScope(this, this.claimsRunner, Object.freeze({ ...claims }));
  }

  private readonly claimsRunner: ClaimsRunner = {
    runAsUser: async <R>(claims: PostgresClaims, work: () => Promise<R>): Promise<R> => {
      if (!this.transactions.inTransaction()) {
        return this.transactions.run(async () => {
          await this.claimsRunner.applyClaims(claims);
          return work();
        });
      }
      // Inside a caller's transaction: SET LOCAL outlives a released savepoint, so the caller's
      // role and claims are put back afterwards (a rolled-back savepoint restores them itself).
      const saved = await this.sessionQuery(
        "SELECT current_setting('role'), coalesce(current_setting('request.jwt.claims', true), '')",
        [],
      );
      return this.transactions.run(async () => {
        await this.claimsRunner.applyClaims(claims);
        const result = await work();
        await this.sessionQuery(
          "SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
          saved.rows[0],
        );
        return result;
      });
    },
    applyClaims: async (claims: PostgresClaims): Promise<void> => {
      // set_config is SET LOCAL with bound values: the role name is never spliced into SQL.
      await this.sessionQuery(
        "SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
        [claims.role ?? 'authenticated', JSON.stringify(claims)],
      );
    },
  };

  /** Runs a statement about the session (role, claims), mapping its errors. */
  private async sessionQuery(text: string, values: unknown[]): Promise<QueryArrayResult> {
    try {
      return await this.query({ text, values }, undefined);
    } catch (error) {
      throw mapPostgresError(error);
    }
  }

  /** A round trip; inside a transaction on its own client, so it never needs a second one. */
  async ping(): Promise<void> {
    return this.observe('ping', undefined, async () => {
      await this.query({ text: 'SELECT 1', values: [] }, undefined);
    });
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      this.transactions.close();
      await this.pool.end();
    })();
    return this.closing;
  }

  /** The database's size, for the health service's storage check. */
  async storageStats(): Promise<{ databaseBytes: number }> {
    const result = await this.observe('storageStats', undefined, (trace) =>
      this.query(
        { text: 'SELECT pg_database_size(current_database())::float8', values: [] },
        trace,
      ),
    );
    return { databaseBytes: Number(result.rows[0][0]) };
  }

  /** Pool usage, for metrics. */
  poolStats(): { total: number; idle: number; waiting: number; max: number } {
    const pool = this.pool;
    return {
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: this.settings.max,
    };
  }

  /**
   * Live rows per table of the current schema, from the statistics collector: approximate, but it
   * never scans a table.
   */
  async tableRowCounts(): Promise<Record<string, number>> {
    const text =
      'SELECT relname, n_live_tup::float8 FROM pg_stat_user_tables WHERE schemaname = current_schema() ORDER BY relname';
    const result = await this.observe('tableRowCounts', undefined, (trace) =>
      this.query({ text, values: [] }, trace),
    );
    return Object.fromEntries(result.rows.map(([name, rows]) => [String(name), Number(rows)]));
  }

  /**
   * Runs a statement on the transaction the calling context has joined, or on a pooled client.
   * A pooled client is destroyed only when its connection failed, not on a constraint error
   * (pg-pool's own `pool.query` would discard it on any error). Behind a pooler a statement
   * outside a transaction has a client-side deadline ({@link queryWithDeadline}). A named
   * statement the server no longer matches (0A000 after a column type change, 26000, 42P05)
   * gets a new name: outside a transaction it is prepared again and run once more; inside one,
   * whose work the error aborted, a retryable TransactionException asks for a re-run.
   */
  private async query(
    statement: Statement,
    trace: StatementTrace | undefined,
  ): Promise<QueryArrayResult> {
    if (trace) this.trace(trace, statement);
    const config: QueryArrayConfig = {
      text: statement.text,
      values: statement.values,
      rowMode: 'array',
    };
    if (this.settings.namedStatements && !statement.valueDependentPlan) {
      config.name = this.statementNames.nameOf(statement.text);
    }
    if (config.name === undefined) {
      return this.transactions.execute((tx) =>
        tx ? tx.client.query(config) : this.pooledQuery(config),
      );
    }
    return this.transactions.execute(async (tx) => {
      try {
        return await (tx ? tx.client.query(config) : this.pooledQuery(config));
      } catch (error) {
        if (!isStalePreparedStatement(error)) throw error;
        const name = this.statementNames.renew(statement.text);
        // Inside a transaction the error has aborted it: only running all of it again can work.
        if (tx) throw staleStatementInTransaction(error);
        return this.pooledQuery({ ...config, name });
      }
    });
  }

  /** Runs a statement on a client of its own, released (or destroyed) afterwards. */
  private async pooledQuery(config: QueryArrayConfig): Promise<QueryArrayResult> {
    const checkedOut = await checkOut(this.pool);
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

  private async select<T extends IBaseEntity>(
    plan: QueryPlan,
    trace: StatementTrace | undefined,
  ): Promise<T[]> {
    const sql = tableSql(plan.table as TableDefinition<T>, postgresDialect);
    const text = this.planText(`s|${plan.shape}`, () => selectText(plan, postgresDialect));
    const result = await this.query(
      {
        text,
        valueDependentPlan: true,
        values: planParams(plan, postgresDialect),
        redacted: () => redactedPlanParams(plan, postgresDialect, REDACTED),
      },
      trace,
    );
    return result.rows.map(sql.mapRow);
  }

  private async countRows(plan: QueryPlan, trace: StatementTrace | undefined): Promise<number> {
    const text = this.planText(`c|${plan.shape}`, () => countText(plan, postgresDialect));
    const result = await this.query(
      {
        text,
        valueDependentPlan: true,
        values: planParams(plan, postgresDialect),
        redacted: () => redactedPlanParams(plan, postgresDialect, REDACTED),
      },
      trace,
    );
    // COUNT(*) is a bigint, which node-postgres returns as text.
    return Number(result.rows[0][0]);
  }

  private insertStatement<T extends IBaseEntity>(sql: TableSql<T>, values: WriteValues): Statement {
    const params = sql.insertParams(values);
    return {
      text: sql.insert,
      values: params,
      redacted: () => sql.redact(sql.table.columns, params, REDACTED),
    };
  }

  private planText(key: string, build: () => string): string {
    let text = this.planTexts.get(key);
    if (text === undefined) {
      if (this.planTexts.size >= CACHE_LIMIT) this.planTexts.clear();
      text = build();
      this.planTexts.set(key, text);
    }
    return text;
  }

  private trace(trace: StatementTrace, statement: Statement): void {
    const params = statement.redacted ? statement.redacted() : statement.values;
    trace.statement = trace.statement ? `${trace.statement};\n${statement.text}` : statement.text;
    trace.params = [...(trace.params ?? []), ...params];
  }

  /**
   * Runs one operation: maps any error to a library exception and reports the event. Without an
   * observer it costs one try/catch.
   */
  private async observe<R>(
    operation: string,
    table: TableDefinition<any> | undefined,
    run: (trace: StatementTrace | undefined) => Promise<R>,
  ): Promise<R> {
    const observer = this.observer;
    const trace: StatementTrace | undefined = observer?.wantsStatements ? {} : undefined;
    const started = observer ? performance.now() : 0;
    try {
      const result = await run(trace);
      if (observer) this.report(operation, table?.name ?? '', started, undefined, trace);
      return result;
    } catch (error) {
      const mapped = mapPostgresError(error, { table });
      if (observer) this.report(operation, table?.name ?? '', started, mapped, trace);
      throw mapped;
    }
  }

  /**
   * Runs a transaction-control call and reports it. Errors pass through unchanged: the manager
   * has mapped database failures, and a caller's own error out of transaction() stays theirs.
   * `run` is called before the first await, so beginTransaction enters the caller's context.
   */
  private async reported<R>(operation: string, run: () => Promise<R>): Promise<R> {
    const started = this.observer ? performance.now() : 0;
    try {
      const result = await run();
      this.report(operation, '', started, undefined);
      return result;
    } catch (error) {
      this.report(operation, '', started, error);
      throw error;
    }
  }

  private report(
    operation: string,
    table: string,
    started: number,
    error: unknown,
    trace?: StatementTrace,
  ): void {
    const observer = this.observer;
    if (!observer) return;
    const event: QueryEvent = {
      provider: 'postgres',
      operation,
      table,
      durationMs: performance.now() - started,
    };
    if (error !== undefined) {
      // A caller's own error thrown out of transaction() is reported as the rollback it caused.
      event.error =
        error instanceof DatabaseException
          ? error
          : new TransactionException('The transaction was rolled back: its work threw', {
              cause: error,
            });
    }
    if (trace?.statement !== undefined) {
      event.statement = trace.statement;
      event.params = trace.params;
    }
    try {
      observer.onQuery(event);
    } catch (observerError) {
      // An observer must not break queries; say so once per failure and carry on.
      this.logger.warn(`A query observer threw: ${(observerError as Error).message}`);
    }
  }
}

function checkClaims(claims: PostgresClaims): void {
  if (
    typeof claims !== 'object' ||
    claims === null ||
    typeof claims.sub !== 'string' ||
    claims.sub === ''
  ) {
    throw new ValidationException('withClaims: claims.sub must be a non-empty string', 'sub');
  }
  if (claims.role !== undefined && (typeof claims.role !== 'string' || claims.role === '')) {
    throw new ValidationException('withClaims: claims.role must be a non-empty string', 'role');
  }
}
