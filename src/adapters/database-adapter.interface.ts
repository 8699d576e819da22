import type {
  CreateInput,
  IBaseEntity,
  TableDefinition,
  UpdateInput,
} from '../schema/table-definition';
import type { TransactionOptions } from '../transactions/transaction-options';
import type { ReadCache } from '../cache/read-cache-options';

/** The providers the library can run on. */
export type DatabaseProvider = 'sqlite' | 'postgres' | 'pglite' | 'supabase';

/** A filter operator object: every key given must hold (AND). */
export interface IFilterOperators {
  eq?: unknown;
  neq?: unknown;
  /** Matches any of the values; an empty array matches nothing. */
  in?: readonly unknown[];
  /** A case-sensitive SQL LIKE pattern: `%` any run, `_` one character, `\` escapes. */
  like?: string;
  /** As `like`, ignoring ASCII letter case. */
  ilike?: string;
  gt?: unknown;
  gte?: unknown;
  lt?: unknown;
  lte?: unknown;
  /** `true`: the value is null; `false`: it is not. */
  isNull?: boolean;
}

/** A filter on one property: a value (equality; `null` means IS NULL), an array (IN) or operators. */
export type FilterValue =
  string | number | boolean | Date | null | readonly unknown[] | IFilterOperators;

/**
 * Filters on entity properties (camelCase), combined with AND, plus the design's shortcuts.
 * A key that is not a property of the table is rejected with a ValidationException.
 */
export interface IFilterOptions {
  /** Case-insensitive substring over the table's searchable columns; `%`, `_`, `\` are literal. */
  search?: string;
  /** `createdAt` strictly after this instant. */
  createdAfter?: Date | string;
  /** `createdAt` strictly before this instant. */
  createdBefore?: Date | string;
  [property: string]: FilterValue | undefined;
}

/** One ordering key. */
export interface IOrderByOptions {
  /** An entity property (camelCase). */
  field: string;
  /** Default is `asc`. */
  direction?: 'asc' | 'desc';
}

/** Offset pagination: `page` from 1, `limit` from 1 to the configured maximum (default 100). */
export interface IPaginationOptions {
  page: number;
  limit: number;
}

/** Keyset pagination: `after` is the `nextCursor` of the previous page (absent for the first). */
export interface ICursorPaginationOptions {
  after?: string | null;
  limit: number;
}

/** What a read may ask for. */
export interface FindOptions {
  filters?: IFilterOptions;
  /** One key or several; ties are always broken by `id` ascending, so the order is total. */
  orderBy?: IOrderByOptions | readonly IOrderByOptions[];
  pagination?: IPaginationOptions | ICursorPaginationOptions;
  /** Include soft-deleted rows. Default is `false`. */
  includeDeleted?: boolean;
  /** Serve the result from the cache layer, if one is configured (docs/caching.md). Default is none. */
  cache?: ReadCache;
}

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
  /** The order rows are picked in. Default is `createdAt` ascending; ties by `id` ascending. */
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
  findMany<T extends IBaseEntity>(options: FindOptions, table: TableDefinition<T>): Promise<T[]>;
  /**
   * One page: with `{ page, limit }` an offset page with the total; with `{ after, limit }` a
   * cursor page with nextCursor. Without pagination, page 1 of 20.
   */
  findPage<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<IPaginatedResult<T> | ICursorPaginatedResult<T>>;
  /** The first row of findMany with these options, or null. */
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
