import { DEFAULT_QUERY_LIMITS, type QueryLimits } from '../../query/plan-query';
import { checkWork } from '../../query/operation-input';
import type {
  CreateInput,
  IBaseEntity,
  TableDefinition,
  UpdateInput,
} from '../../schema/table-definition';
import {
  TransactionManager,
  type TransactionManagerOptions,
} from '../../transactions/transaction-manager';
import {
  checkTransactionOptions,
  type TransactionOptions,
} from '../../transactions/transaction-options';
import { instrumentAdapter } from '../../observation/observed.adapter';
import type {
  AdapterCapabilities,
  BulkWriteOptions,
  ClaimOptions,
  DeleteManyOptions,
  DatabaseProvider,
  FindByIdOptions,
  FindOptions,
  ICursorPaginatedResult,
  IDatabaseAdapter,
  IFilterOptions,
  IPaginatedResult,
  TransactionHandle,
  UpdateOptions,
  UpsertOptions,
  UpsertResult,
} from '../database-adapter.interface';
import type { AggregateOptions, AggregateRow } from '../aggregate-options';
import { iterateRows, type IterateFindOptions, type IterateOptions } from '../iterate-rows';
import type { QueryObserver } from '../query-observer';
import { sqlTag, type SqlQuery, type SqlTag } from '../raw-sql';
import * as bulk from './sql-bulk-writes';
import { runSql } from './sql-raw';
import { upsertMany } from './sql-upsert-many';
import type { SqlDriver } from './sql-driver';
import { SqlEngine } from './sql-engine';
import * as aggregates from './sql-aggregate';
import * as claims from './sql-claims';
import * as reads from './sql-reads';
import * as writes from './sql-writes';

/** What every SQL adapter is built with, besides its driver. */
export interface SqlAdapterOptions {
  /** Page size and IN-list limits. Default is {@link DEFAULT_QUERY_LIMITS}. */
  limits?: Partial<QueryLimits>;
  /** Receives an event after every operation (metrics, query logs). Default is none. */
  observer?: QueryObserver;
  /** How long a transaction may stay open, in milliseconds. Default is 30000. */
  transactionTimeoutMs?: TransactionManagerOptions['timeoutMs'];
}

/**
 * The one implementation of {@link IDatabaseAdapter} for every SQL engine. It plans, checks and
 * normalizes input, picks and caches statements, maps rows, applies the not-found rules and runs
 * transactions; a {@link SqlDriver} says only how to talk to its engine. `SQLiteAdapter` and
 * `PostgresAdapter` are this class with their driver, plus what only their engine has.
 */
export abstract class SqlAdapter<C> implements IDatabaseAdapter {
  abstract readonly capabilities: AdapterCapabilities;
  readonly provider: DatabaseProvider;
  /** The shared engine the operations run through. */
  protected readonly engine: SqlEngine<C>;
  protected readonly transactions: TransactionManager<C>;
  readonly sql: SqlTag = sqlTag(this);
  private closing?: Promise<void>;

  protected constructor(
    protected readonly driver: SqlDriver<C>,
    options: SqlAdapterOptions = {},
  ) {
    this.provider = driver.provider;
    this.transactions = new TransactionManager(driver.connections, {
      timeoutMs: options.transactionTimeoutMs,
    });
    this.engine = new SqlEngine(driver, this.transactions, {
      ...DEFAULT_QUERY_LIMITS,
      ...options.limits,
    });
    if (options.observer) instrumentAdapter(this, options.observer);
  }

  create<T extends IBaseEntity>(data: CreateInput<T>, table: TableDefinition<T>): Promise<T> {
    return writes.create(this.engine, data, table);
  }

  createMany<T extends IBaseEntity>(
    data: readonly CreateInput<T>[],
    table: TableDefinition<T>,
  ): Promise<T[]> {
    return writes.createMany(this.engine, data, table);
  }

  upsert<T extends IBaseEntity>(
    data: CreateInput<T>,
    table: TableDefinition<T>,
    options: UpsertOptions<T>,
  ): Promise<UpsertResult<T>> {
    return writes.upsert(this.engine, data, table, options);
  }

  upsertMany<T extends IBaseEntity>(
    data: readonly CreateInput<T>[],
    table: TableDefinition<T>,
    options: UpsertOptions<T>,
  ): Promise<UpsertResult<T>[]> {
    return upsertMany(this.engine, data, table, options);
  }

  findById<T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<T | null> {
    return reads.findById(this.engine, id, table, options);
  }

  findByIds<T extends IBaseEntity>(
    ids: readonly string[],
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<T[]> {
    return reads.findByIds(this.engine, ids, table, options);
  }

  findMany<T extends IBaseEntity>(options: FindOptions, table: TableDefinition<T>): Promise<T[]> {
    return reads.findMany(this.engine, options, table);
  }

  findFirst<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<T | null> {
    return reads.findFirst(this.engine, options, table);
  }

  findPage<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<IPaginatedResult<T> | ICursorPaginatedResult<T>> {
    return reads.findPage(this.engine, options, table);
  }

  count<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<number> {
    return reads.count(this.engine, filters, table, options);
  }

  exists<T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<boolean> {
    return reads.exists(this.engine, id, table, options);
  }

  aggregate<T extends IBaseEntity, const O extends AggregateOptions<T>>(
    options: O,
    table: TableDefinition<T>,
  ): Promise<AggregateRow<T, O>[]> {
    return aggregates.aggregate(this.engine, options, table);
  }

  /** Batches through this adapter's own findPage, so each is observed like any read. */
  iterate<T extends IBaseEntity>(
    options: IterateFindOptions,
    table: TableDefinition<T>,
    iterateOptions?: IterateOptions,
  ): AsyncIterable<T> {
    return iterateRows(this, options, table, iterateOptions);
  }

  update<T extends IBaseEntity>(
    id: string,
    data: UpdateInput<T>,
    table: TableDefinition<T>,
    options?: UpdateOptions,
  ): Promise<T> {
    return writes.update(this.engine, id, data, table, options);
  }

  increment<T extends IBaseEntity>(
    id: string,
    field: keyof T & string,
    by: number,
    table: TableDefinition<T>,
    data?: UpdateInput<T>,
  ): Promise<T> {
    return writes.increment(this.engine, id, field, by, table, data);
  }

  claim<T extends IBaseEntity>(options: ClaimOptions<T>, table: TableDefinition<T>): Promise<T[]> {
    return claims.claim(this.engine, options, table);
  }

  softDelete<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<void> {
    return writes.softDelete(this.engine, id, table);
  }

  restore<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<T> {
    return writes.restore(this.engine, id, table);
  }

  hardDelete<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<void> {
    return writes.hardDelete(this.engine, id, table);
  }

  updateMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    data: UpdateInput<T>,
    table: TableDefinition<T>,
    options?: BulkWriteOptions,
  ): Promise<number> {
    return bulk.updateMany(this.engine, filters, data, table, options);
  }

  softDeleteMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: BulkWriteOptions,
  ): Promise<number> {
    return bulk.softDeleteMany(this.engine, filters, table, options);
  }

  restoreMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: BulkWriteOptions,
  ): Promise<number> {
    return bulk.restoreMany(this.engine, filters, table, options);
  }

  deleteMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: DeleteManyOptions,
  ): Promise<number> {
    return bulk.deleteMany(this.engine, filters, table, options);
  }

  runSql<Row = Record<string, unknown>>(
    query: SqlQuery,
    table?: TableDefinition<any>,
  ): Promise<Row[]> {
    return runSql<Row>(this.engine, query, table);
  }

  async transaction<R>(work: () => Promise<R>, options?: TransactionOptions): Promise<R> {
    checkWork(work);
    return this.transactions.run(work, checkTransactionOptions(options));
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

  /**
   * Opens the ambient transaction, made for tests (see `rollbackEachTest`): until
   * {@link rollbackAmbientTransaction}, every statement of a flow without a transaction of its own
   * runs in it, each in a savepoint of its own (a failed one undoes only itself, as outside a
   * transaction); `transaction()` calls and `beginTransaction()` handles become savepoints in it;
   * on PostgreSQL all of them run on its one pooled connection. It has no time limit.
   *
   * @throws TransactionException when one is already open; ConnectionException once closed.
   */
  beginAmbientTransaction(): Promise<void> {
    return this.transactions.beginAmbient();
  }

  /**
   * Rolls the ambient transaction back: nothing written since
   * {@link beginAmbientTransaction} remains, and statements run outside any transaction again.
   *
   * @throws TransactionException when none is open, or when it ended before its rollback (its
   * connection lost, the adapter closed: then ConnectionException), saying why.
   */
  rollbackAmbientTransaction(): Promise<void> {
    return this.transactions.rollbackAmbient();
  }

  /**
   * A round trip that reads nothing: inside a transaction on its connection (so it never needs a
   * second one); outside, on any connection, without waiting for another flow's transaction.
   */
  async ping(): Promise<void> {
    const statement = { text: 'SELECT 1', values: [] };
    if (this.transactions.inTransaction()) {
      await this.engine.run('ping', undefined, statement);
      return;
    }
    try {
      this.engine.assertOpen();
      await this.driver.query(undefined, statement);
    } catch (error) {
      throw this.driver.mapError(error, { operation: 'ping' });
    }
  }

  /** Rolls back open transactions, fails every waiting statement, and closes; safe twice. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.engine.close();
      this.transactions.close();
      await this.driver.close();
    })();
    return this.closing;
  }
}
