import { TransactionNotSupportedException, ValidationException } from '../../exceptions';
import { DEFAULT_QUERY_LIMITS } from '../../query/plan-query';
import type {
  CreateInput,
  IBaseEntity,
  TableDefinition,
  UpdateInput,
} from '../../schema/table-definition';
import type {
  AdapterCapabilities,
  BulkWriteOptions,
  ClaimOptions,
  DeleteManyOptions,
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
import { instrumentAdapter } from '../../observation/observed.adapter';
import { checkWork } from '../../query/operation-input';
import {
  checkTransactionOptions,
  type TransactionOptions,
  type TransactionPropagation,
} from '../../transactions/transaction-options';
import type { SupabaseAdapterOptions } from './supabase-adapter.options';
import type { AggregateOptions, AggregateRow } from '../aggregate-options';
import { iterateRows, type IterateFindOptions, type IterateOptions } from '../iterate-rows';
import * as aggregates from './supabase-aggregate';
import { clientFromOptions } from './supabase-client.factory';
import { sqlTag, type SqlQuery } from '../raw-sql';
import * as bulk from './supabase-bulk-writes';
import * as claims from './supabase-claims';
import * as reads from './supabase-reads';
import { SupabaseRequests } from './supabase-requests';
import * as writes from './supabase-writes';
import { PROBE_TABLE } from './supabase.probe';

/** What Supabase over PostgREST can do: no transactions (one HTTP request is one transaction). */
export const SUPABASE_CAPABILITIES: AdapterCapabilities = Object.freeze({
  transactions: false,
  savepoints: false,
  migrations: false,
  concurrentTransactions: false,
  aggregates: false,
  // One upsert per row: on_conflict cannot name a partial unique index (supabase-bulk-writes.ts).
  atomicUpsertMany: false,
  rawSql: false,
});

/** The message of every transaction call: what to do instead. */
export const SUPABASE_NO_TRANSACTIONS =
  'Supabase over PostgREST cannot run multi-statement transactions (each HTTP request is its own ' +
  "transaction). Use the postgres provider with the project's DATABASE_URL (Settings → Database), " +
  'or put the statements in a Postgres function and call it with adapter.rpc(fn, args).';

/** The message of a transaction() whose propagation needs a transaction: the ways out. */
function noTransactionFor(propagation: TransactionPropagation): string {
  return (
    `transaction() with propagation ${propagation} needs a transaction. ${SUPABASE_NO_TRANSACTIONS} ` +
    "Or, when the work is safe without one, give it propagation 'SUPPORTS'."
  );
}

const RPC_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The Supabase provider: every {@link IDatabaseAdapter} operation as PostgREST requests through
 * supabase-js, with the same semantics as the SQL providers except transactions, which PostgREST
 * does not have (see docs/providers.md).
 *
 * A server adapter uses the service key when given (row-level security bypassed), else the anon
 * key. {@link SupabaseAdapter.forUser} returns an adapter whose requests carry a user's JWT, so
 * row-level security applies to that user.
 *
 * @example
 * const adapter = new SupabaseAdapter({ url: process.env.SUPABASE_URL!, serviceKey, anonKey });
 * const user = await adapter.findById(id, usersTable);
 */
export class SupabaseAdapter implements IDatabaseAdapter {
  readonly provider = 'supabase' as const;
  readonly capabilities: AdapterCapabilities;
  /** Always rejects: PostgREST runs no raw SQL (`capabilities.rawSql` is false); use rpc(). */
  readonly sql = sqlTag(this);
  private readonly requests: SupabaseRequests;

  /**
   * @param options - Where and how to connect.
   * @param user - Act as this user: prefer {@link SupabaseAdapter.forUser}. Default is none.
   */
  constructor(
    private readonly options: SupabaseAdapterOptions,
    user?: { jwt: string },
  ) {
    const client = clientFromOptions(options, user);
    this.capabilities = Object.freeze({
      ...SUPABASE_CAPABILITIES,
      aggregates: options.aggregatesEnabled === true,
    });
    this.requests = new SupabaseRequests(client, { ...DEFAULT_QUERY_LIMITS, ...options.limits });
    if (options.observer) instrumentAdapter(this, options.observer);
  }

  /**
   * An adapter acting as the user whose JWT is given: a separate client with the anon key and
   * `Authorization: Bearer <jwt>`, so row-level security policies see that user (`auth.uid()`).
   * Needs `anonKey`. Cheap enough to make per request; keep it for that request only.
   */
  forUser(jwt: string): SupabaseAdapter {
    return new SupabaseAdapter(this.options, { jwt });
  }

  /**
   * Calls a Postgres function through PostgREST (`POST /rest/v1/rpc/<fn>`): the way to run several
   * statements atomically on Supabase. Errors are mapped like every other request.
   */
  rpc<R = unknown>(fn: string, args: Record<string, unknown> = {}): Promise<R> {
    return this.requests.run('rpc', undefined, async (call) => {
      if (typeof fn !== 'string' || !RPC_NAME.test(fn)) {
        throw new ValidationException('rpc: the function name must be an identifier', 'fn');
      }
      return call.ok(await call.send(call.client.rpc(fn, args))) as R;
    });
  }

  create<T extends IBaseEntity>(data: CreateInput<T>, table: TableDefinition<T>): Promise<T> {
    return writes.create(this.requests, data, table);
  }

  createMany<T extends IBaseEntity>(
    data: readonly CreateInput<T>[],
    table: TableDefinition<T>,
  ): Promise<T[]> {
    return writes.createMany(this.requests, data, table);
  }

  /** Not atomic on PostgREST: an insert, then on a clash a read and a patch (docs/providers.md). */
  upsert<T extends IBaseEntity>(
    data: CreateInput<T>,
    table: TableDefinition<T>,
    options: UpsertOptions<T>,
  ): Promise<UpsertResult<T>> {
    return writes.upsert(this.requests, data, table, options);
  }

  /** One upsert per row, in order: not atomic (`capabilities.atomicUpsertMany` is false). */
  upsertMany<T extends IBaseEntity>(
    data: readonly CreateInput<T>[],
    table: TableDefinition<T>,
    options: UpsertOptions<T>,
  ): Promise<UpsertResult<T>[]> {
    return bulk.upsertMany(this.requests, data, table, options);
  }

  findById<T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<T | null> {
    return reads.findById(this.requests, id, table, options);
  }

  findByIds<T extends IBaseEntity>(
    ids: readonly string[],
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<T[]> {
    return reads.findByIds(this.requests, ids, table, options);
  }

  findMany<T extends IBaseEntity>(options: FindOptions, table: TableDefinition<T>): Promise<T[]> {
    return reads.findMany(this.requests, options, table);
  }

  findFirst<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<T | null> {
    return reads.findFirst(this.requests, options, table);
  }

  findPage<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<IPaginatedResult<T> | ICursorPaginatedResult<T>> {
    return reads.findPage(this.requests, options, table);
  }

  count<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<number> {
    return reads.count(this.requests, filters, table, options);
  }

  exists<T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<boolean> {
    return reads.exists(this.requests, id, table, options);
  }

  /**
   * One GET with PostgREST aggregate functions; AggregatesNotEnabledException, without a request,
   * unless the adapter was created with `aggregatesEnabled: true`, and when the server refuses
   * (PGRST123).
   */
  aggregate<T extends IBaseEntity, const O extends AggregateOptions<T>>(
    options: O,
    table: TableDefinition<T>,
  ): Promise<AggregateRow<T, O>[]> {
    return aggregates.aggregate(this.requests, this.capabilities.aggregates, options, table);
  }

  /** Batches through this adapter's own findPage, so each is observed like any read. */
  iterate<T extends IBaseEntity>(
    options: IterateFindOptions,
    table: TableDefinition<T>,
    iterateOptions?: IterateOptions,
  ): AsyncIterable<T> {
    return iterateRows(this, options, table, iterateOptions);
  }

  /** A PATCH; on a versioned table a compare-and-swap on the version (docs/providers.md). */
  update<T extends IBaseEntity>(
    id: string,
    data: UpdateInput<T>,
    table: TableDefinition<T>,
    options?: UpdateOptions,
  ): Promise<T> {
    return writes.update(this.requests, id, data, table, options);
  }

  /** A compare-and-swap PATCH, retried when another writer changed the counter first. */
  increment<T extends IBaseEntity>(
    id: string,
    field: keyof T & string,
    by: number,
    table: TableDefinition<T>,
    data?: UpdateInput<T>,
  ): Promise<T> {
    return writes.increment(this.requests, id, field, by, table, data);
  }

  /**
   * A GET of the candidates, then a compare-and-swap PATCH per candidate (docs/providers.md): a
   * row another writer changed in between is left out. Leases run on this client's clock.
   */
  claim<T extends IBaseEntity>(options: ClaimOptions<T>, table: TableDefinition<T>): Promise<T[]> {
    return claims.claim(this.requests, options, table);
  }

  softDelete<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<void> {
    return writes.softDelete(this.requests, id, table);
  }

  restore<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<T> {
    return writes.restore(this.requests, id, table);
  }

  hardDelete<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<void> {
    return writes.hardDelete(this.requests, id, table);
  }

  /** One PATCH filtered like a read; refused on a versioned table (docs/querying.md). */
  updateMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    data: UpdateInput<T>,
    table: TableDefinition<T>,
    options?: BulkWriteOptions,
  ): Promise<number> {
    return bulk.updateMany(this.requests, filters, data, table, options);
  }

  softDeleteMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: BulkWriteOptions,
  ): Promise<number> {
    return bulk.softDeleteMany(this.requests, filters, table, options);
  }

  restoreMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: BulkWriteOptions,
  ): Promise<number> {
    return bulk.restoreMany(this.requests, filters, table, options);
  }

  deleteMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: DeleteManyOptions,
  ): Promise<number> {
    return bulk.deleteMany(this.requests, filters, table, options);
  }

  /** Always rejects with a QueryException pointing to rpc(). */
  runSql<Row = Record<string, unknown>>(
    _query: SqlQuery,
    _table?: TableDefinition<any>,
  ): Promise<Row[]> {
    return bulk.refuseRawSql(this.requests);
  }

  /**
   * Runs `work` without a transaction when `options.propagation` allows it (`NEVER`, `SUPPORTS`:
   * there is never one open). Every other propagation rejects with
   * TransactionNotSupportedException: PostgREST has no multi-request transactions.
   */
  async transaction<R>(work: () => Promise<R>, options?: TransactionOptions): Promise<R> {
    checkWork(work);
    const { propagation } = checkTransactionOptions(options);
    if (propagation === 'NEVER' || propagation === 'SUPPORTS') return work();
    return this.noTransactions('transaction', noTransactionFor(propagation));
  }

  /** Always rejects with TransactionNotSupportedException. */
  beginTransaction(): Promise<TransactionHandle> {
    return this.noTransactions('beginTransaction');
  }

  /** Always rejects with TransactionNotSupportedException. */
  commitTransaction(_handle?: TransactionHandle): Promise<void> {
    return this.noTransactions('commitTransaction');
  }

  /** Always rejects with TransactionNotSupportedException. */
  rollbackTransaction(_handle?: TransactionHandle): Promise<void> {
    return this.noTransactions('rollbackTransaction');
  }

  /** One cheap GET (`users?select=id&limit=0`); throws the mapped exception when it fails. */
  ping(): Promise<void> {
    return this.requests.run('ping', undefined, async (call) => {
      call.ok(await call.send(call.client.from(PROBE_TABLE).select('id').limit(0)));
    });
  }

  /** Marks the adapter closed (later calls fail) and drops realtime channels; safe to call twice. */
  close(): Promise<void> {
    return this.requests.close();
  }

  private noTransactions<R>(operation: string, message = SUPABASE_NO_TRANSACTIONS): Promise<R> {
    return this.requests.run(operation, undefined, async () => {
      throw new TransactionNotSupportedException(message);
    });
  }
}
