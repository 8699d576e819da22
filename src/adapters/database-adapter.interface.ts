import type { ReadCache } from '../cache/read-cache-options';
import type {
  CreateInput,
  IBaseEntity,
  TableDefinition,
  UpdateInput,
} from '../schema/table-definition';
import type { TransactionOptions } from '../transactions/transaction-options';
import type { AggregateOptions, AggregateRow } from './aggregate-options';
import type { IterateFindOptions, IterateOptions } from './iterate-rows';
import type { SqlQuery, SqlTag } from './raw-sql';
import type { FilterOperators, FindOptions, IFilterOptions, IOrderByOptions } from './find-options';

/** Untyped read options that select some properties: the rows narrow to `Pick<T, K>`. */
export type SelectOptions<K extends string> = FindOptions & { select: readonly K[] };

export type {
  ComparableValue,
  FilterGroups,
  FilterOperators,
  FilterShortcuts,
  FilterValue,
  FindOptions,
  ICursorPaginationOptions,
  IFilterOptions,
  IOrderByOptions,
  IPaginationOptions,
  LooseFilterOptions,
  Selected,
} from './find-options';
/** The untyped operator object; {@link FilterOperators} types it by a property. */
export type IFilterOperators = FilterOperators;

/** The providers the library can run on. */
export type DatabaseProvider = 'sqlite' | 'postgres' | 'pglite' | 'supabase';

/** A page of an offset-paginated read. */
export interface IPaginatedResult<T> {
  data: T[];
  total: number;
  page: number;
  limit: number;
  totalPages: number;
  hasNext: boolean;
  hasPrevious: boolean;
}

/** A page of a cursor-paginated read. */
export interface ICursorPaginatedResult<T> {
  data: T[];
  limit: number;
  /** Pass as `pagination.after` for the next page; null on the last page. */
  nextCursor: string | null;
  hasNext: boolean;
}

/** Options of reads by id. */
export interface FindByIdOptions {
  /** Return the row even when soft-deleted. Default is `false`. */
  includeDeleted?: boolean;
  /** Serve the result from the cache layer, if one is configured (docs/caching.md). Default is none. */
  cache?: ReadCache;
}

/** What {@link IDatabaseAdapter.upsert} does when a live row already has the key. */
export interface UpsertOptions<T> {
  /** The unique property that identifies the row (a Stripe id). */
  conflictField: keyof T & string;
  /** `update`: overwrite it with the given values; `ignore`: keep it as it is. */
  onConflict: 'update' | 'ignore';
  /**
   * Makes an `update` upsert ordered by this property, the clock of the data (a Stripe event's
   * `created`): the live row is overwritten only when the given value is at least the stored one,
   * or the stored one is null; otherwise it is kept and the result says `applied: false`. Equal
   * counts as newer, so a redelivery applies again (the same state) and of two changes stamped
   * alike the one written last wins. One atomic statement on SQL engines, a compare-and-swap on
   * Supabase. The property must be an integer or a millisecond-exact timestamp (precision `'ms'`),
   * and the data must give it. Default is none: every upsert overwrites.
   */
  orderedBy?: keyof T & string;
}

/** The row after an upsert, whether this call inserted it, and whether it wrote anything. */
export interface UpsertResult<T> {
  /** The live row after the call: as written, or as found when nothing was written. */
  record: T;
  /** The row was inserted by this call. */
  created: boolean;
  /**
   * This call inserted or updated the row; false when it kept the live one (`onConflict: 'ignore'`,
   * or an `orderedBy` upsert older than what is stored).
   */
  applied: boolean;
}

/** Options of {@link IDatabaseAdapter.update}. */
export interface UpdateOptions {
  /**
   * Optimistic locking on a versioned table: change the row only while its `version` is this one
   * (and bump it), else fail with OptimisticLockException. Default is none: any version.
   */
  expectedVersion?: number;
}

/** The lease {@link IDatabaseAdapter.claim} takes on each row it picks. */
export interface ClaimLease<T> {
  /**
   * A nullable timestamp property holding when the lease ends. Only rows whose lease is null or
   * has ended are picked, and each picked row's lease is set to now + {@link ClaimLease.ms}. Now
   * is the database's clock on the SQL providers and the client's on Supabase.
   */
  until: keyof T & string;
  /** How long the lease lasts, in milliseconds: an integer from 1 to 2147483647. */
  ms: number;
}

/** An integer property {@link IDatabaseAdapter.claim} adds to in each row it picks. */
export interface ClaimIncrement<T> {
  field: keyof T & string;
  /** The step; a row where the result would leave the property's range is not picked. */
  by: number;
}

/** Which rows {@link IDatabaseAdapter.claim} picks, and what it writes into them. */
export interface ClaimOptions<T extends IBaseEntity> {
  /** Which live rows may be picked, as for findMany. Default is every live row. */
  filters?: IFilterOptions;
  /** The order rows are picked in. Default is `createdAt` ascending; ties by `id` in the last key's direction. */
  orderBy?: IOrderByOptions | readonly IOrderByOptions[];
  /** At most this many rows: an integer from 1 to the page maximum (default 100). */
  limit: number;
  /** Values written into every picked row; `updatedAt` is set too. Default is none. */
  set?: UpdateInput<T>;
  /** A lease to take on every picked row. Default is none. */
  lease?: ClaimLease<T>;
  /** A counter to add to in every picked row, in the same step. Default is none. */
  increment?: ClaimIncrement<T>;
}

/**
 * Options of the bulk writes ({@link IDatabaseAdapter.updateMany} and friends). A bulk write with no
 * filter (none given, or only undefined values) would touch every row of the table: it is refused
 * with a ValidationException unless `all: true` says that is meant.
 */
export interface BulkWriteOptions {
  /** Allow an empty filter, so the write touches every row it may. Default is `false`. */
  all?: boolean;
}

/** Options of {@link IDatabaseAdapter.deleteMany}. */
export interface DeleteManyOptions extends BulkWriteOptions {
  /** Delete soft-deleted rows that match too (a purge). Default is `false`: live rows only. */
  includeDeleted?: boolean;
}

/** What an adapter can do, so callers branch on capability rather than on the provider's name. */
export interface AdapterCapabilities {
  /** Multi-statement transactions: `transaction()` and begin/commit/rollback. */
  readonly transactions: boolean;
  /** Nested `transaction()` calls become savepoints. */
  readonly savepoints: boolean;
  /** Runs SQL migrations itself. */
  readonly migrations: boolean;
  /** Transactions run side by side on several connections (false: they are queued). */
  readonly concurrentTransactions: boolean;
  /**
   * `aggregate()` works. Always on SQL engines; on Supabase only when the adapter is told that
   * the server enables PostgREST's aggregate functions (`db-aggregates-enabled`).
   */
  readonly aggregates: boolean;
  /** `upsertMany` writes all its rows or none, in one transaction. */
  readonly atomicUpsertMany: boolean;
  /** `sql` / `runSql` run raw SQL (false: they throw, pointing to what to use instead). */
  readonly rawSql: boolean;
}

/** A transaction opened with {@link IDatabaseAdapter.beginTransaction}. */
export interface TransactionHandle {
  readonly id: number;
}

/**
 * The one contract every provider implements. Repositories talk only to this.
 *
 * Semantics are identical on every provider (docs/querying.md) and pinned by the conformance suite
 * in test/conformance/. Every method throws only {@link DatabaseException} subclasses.
 */
export interface IDatabaseAdapter {
  readonly provider: DatabaseProvider;
  readonly capabilities: AdapterCapabilities;

  /** Inserts a row; the library sets id, createdAt and updatedAt. */
  create<T extends IBaseEntity>(data: CreateInput<T>, table: TableDefinition<T>): Promise<T>;
  /** Inserts every row or none (one transaction where the provider has them). */
  createMany<T extends IBaseEntity>(
    data: readonly CreateInput<T>[],
    table: TableDefinition<T>,
  ): Promise<T[]>;
  /** Inserts, or on a live row with the same `conflictField`, updates or keeps it, atomically. */
  upsert<T extends IBaseEntity>(
    data: CreateInput<T>,
    table: TableDefinition<T>,
    options: UpsertOptions<T>,
  ): Promise<UpsertResult<T>>;

  /**
   * Upserts every row as {@link upsert} does, and returns each row's result in input order. On the
   * SQL providers one multi-row `INSERT … ON CONFLICT` per shape of given properties, all in one
   * transaction (a savepoint inside one): every row or none (`capabilities.atomicUpsertMany`).
   * Two rows with the same `conflictField` value are a ValidationException.
   */
  upsertMany<T extends IBaseEntity>(
    data: readonly CreateInput<T>[],
    table: TableDefinition<T>,
    options: UpsertOptions<T>,
  ): Promise<UpsertResult<T>[]>;

  /** The row, or null when missing or soft-deleted (unless includeDeleted). */
  findById<T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<T | null>;
  /** The live rows among these ids, in one query, in no particular order. */
  findByIds<T extends IBaseEntity>(
    ids: readonly string[],
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<T[]>;
  /**
   * Every matching row (a page of them with `pagination`), ordered. With `select`, each row holds
   * only the selected properties. Options are checked at run time (they may come untyped from a
   * query string); {@link BaseRepository} types them by the entity.
   */
  findMany<T extends IBaseEntity, K extends keyof T & string>(
    options: SelectOptions<K>,
    table: TableDefinition<T>,
  ): Promise<Pick<T, K>[]>;
  findMany<T extends IBaseEntity>(options: FindOptions, table: TableDefinition<T>): Promise<T[]>;
  /**
   * One page: with `{ page, limit }` an offset page with the total; with `{ after, limit }` a
   * cursor page with nextCursor. Without pagination, page 1 of 20. `select` as for findMany.
   */
  findPage<T extends IBaseEntity, K extends keyof T & string>(
    options: SelectOptions<K>,
    table: TableDefinition<T>,
  ): Promise<IPaginatedResult<Pick<T, K>> | ICursorPaginatedResult<Pick<T, K>>>;
  findPage<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<IPaginatedResult<T> | ICursorPaginatedResult<T>>;
  /** The first row of findMany with these options, or null. `select` as for findMany. */
  findFirst<T extends IBaseEntity, K extends keyof T & string>(
    options: SelectOptions<K>,
    table: TableDefinition<T>,
  ): Promise<Pick<T, K> | null>;
  findFirst<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<T | null>;
  count<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<number>;
  exists<T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<boolean>;
  /**
   * Counts, sums, averages, minimums and maximums over the matching rows (live ones unless
   * `includeDeleted`), one result row per group of `groupBy` values, ordered by them (nulls
   * last); without `groupBy`, one row. Sums are exact decimal strings, averages doubles
   * (docs/querying.md › Aggregates). AggregatesNotEnabledException where the provider cannot
   * (`capabilities.aggregates`).
   */
  aggregate<T extends IBaseEntity, const O extends AggregateOptions<T>>(
    options: O,
    table: TableDefinition<T>,
  ): Promise<AggregateRow<T, O>[]>;
  /**
   * Every matching row in order, read `batchSize` rows at a time by cursor pagination, holding
   * one batch at a time; each batch is a findPage call, joining the calling flow's transaction.
   * Breaking out of the loop stops reading (docs/querying.md › Streaming).
   */
  iterate<T extends IBaseEntity>(
    options: IterateFindOptions,
    table: TableDefinition<T>,
    iterateOptions?: IterateOptions,
  ): AsyncIterable<T>;

  /**
   * Changes a live row and bumps updatedAt (and `version` on a versioned table, in the same
   * statement); RecordNotFoundException when missing or soft-deleted. With `expectedVersion`, the
   * row changes only at that version, else OptimisticLockException with the current version. The
   * verdict is taken from the row as read after the miss: a row deleted meanwhile (even by a
   * concurrent writer after a version mismatch) is a RecordNotFoundException.
   */
  update<T extends IBaseEntity>(
    id: string,
    data: UpdateInput<T>,
    table: TableDefinition<T>,
    options?: UpdateOptions,
  ): Promise<T>;
  /**
   * Adds `by` to an integer property and applies `data` in one atomic step (no lost update under
   * concurrency), bumping updatedAt; RecordNotFoundException when missing or soft-deleted.
   */
  increment<T extends IBaseEntity>(
    id: string,
    field: keyof T & string,
    by: number,
    table: TableDefinition<T>,
    data?: UpdateInput<T>,
  ): Promise<T>;
  /**
   * Picks up to `limit` live rows matching `filters`, in `orderBy` order (those under an unexpired
   * `lease` left out), and writes `set`, the lease and the increment into them: each row in one
   * atomic step, so concurrent claims never pick the same row (PostgreSQL `FOR UPDATE SKIP
   * LOCKED`, SQLite one writer, Supabase a compare-and-swap PATCH per row). Returns the rows as
   * written, in no particular order: fewer than `limit` when fewer are free, and on Supabase when
   * another writer changed a row between the read and the PATCH.
   */
  claim<T extends IBaseEntity>(options: ClaimOptions<T>, table: TableDefinition<T>): Promise<T[]>;
  /** Sets deletedAt; RecordNotFoundException when missing or already soft-deleted. */
  softDelete<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<void>;
  /** Clears deletedAt; RecordNotFoundException when missing or not deleted. */
  restore<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<T>;
  /** Removes the row for good; RecordNotFoundException when missing. */
  hardDelete<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<void>;

  /**
   * Changes every live row matching `filters` (as in findMany) in one statement, bumping updatedAt
   * (and `version` on a versioned table); returns how many rows changed. `data` is checked as for
   * {@link update}. An empty filter is refused unless `options.all`.
   */
  updateMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    data: UpdateInput<T>,
    table: TableDefinition<T>,
    options?: BulkWriteOptions,
  ): Promise<number>;
  /** Soft-deletes every live row matching `filters` in one statement; returns how many. */
  softDeleteMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: BulkWriteOptions,
  ): Promise<number>;
  /** Restores every soft-deleted row matching `filters` in one statement; returns how many. */
  restoreMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: BulkWriteOptions,
  ): Promise<number>;
  /**
   * Removes for good every live row (every row, with `includeDeleted`) matching `filters`, in one
   * statement; returns how many.
   */
  deleteMany<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: DeleteManyOptions,
  ): Promise<number>;

  /**
   * Raw SQL as a tagged template: ``adapter.sql<Row>`SELECT … WHERE x = ${v}` ``. Every `${…}` is
   * bound as a parameter, never spliced. It runs like every other statement: on the calling flow's
   * transaction, observed, errors mapped. ``adapter.sql.map(table)`…` `` turns the rows into the
   * table's entities. Throws where `capabilities.rawSql` is false (docs/querying.md).
   */
  readonly sql: SqlTag;
  /**
   * Runs a {@link SqlQuery} (what {@link sql} builds) and returns its rows as objects keyed by
   * column name, or, with `table`, as that table's entities.
   */
  runSql<Row = Record<string, unknown>>(
    query: SqlQuery,
    table?: TableDefinition<any>,
  ): Promise<Row[]>;

  /**
   * Runs `work` in a transaction: repository calls inside it join it without a handle
   * (AsyncLocalStorage); a throw rolls it back; a nested call is a savepoint. `options` say how
   * it relates to a transaction already open (propagation) and its isolation level; default is
   * to join the open one or start one (docs/transactions.md).
   */
  transaction<R>(work: () => Promise<R>, options?: TransactionOptions): Promise<R>;
  /** Opens a transaction that the calling async context joins until commit or rollback. */
  beginTransaction(): Promise<TransactionHandle>;
  /** Commits the given transaction, or the one the calling context joined. */
  commitTransaction(handle?: TransactionHandle): Promise<void>;
  /** Rolls back the given transaction, or the one the calling context joined. */
  rollbackTransaction(handle?: TransactionHandle): Promise<void>;

  /** A cheap round trip; throws ConnectionException when the database is unreachable. */
  ping(): Promise<void>;
  /** Releases connections and files; safe to call twice. */
  close(): Promise<void>;
}
