import { Injectable } from '@nestjs/common';
import type {
  BulkWriteOptions,
  DeleteManyOptions,
  FindByIdOptions,
  FindOptions,
  ICursorPaginatedResult,
  IDatabaseAdapter,
  IFilterOptions,
  IPaginatedResult,
  Selected,
  UpdateOptions,
  UpsertOptions,
  UpsertResult,
} from '../adapters/database-adapter.interface';
import type { AggregateOptions, AggregateRow } from '../adapters/aggregate-options';
import type { IterateFindOptions, IterateOptions } from '../adapters/iterate-rows';
import type { SqlTag } from '../adapters/raw-sql';
import type { ReadCache } from '../cache/read-cache-options';
import { InjectDatabaseAdapter } from '../database.decorators';
import type { FieldViolation } from '../exceptions';
import type { IncludeOf, WithIncluded } from '../query/include-options';
import { checkWork } from '../query/operation-input';
import type { TransactionOptions } from '../transactions/transaction-options';
import type {
  CreateInput,
  IBaseEntity,
  TableDefinition,
  UpdateInput,
} from '../schema/table-definition';
import { EntityValidator, type EntityClass } from '../validation/entity-validator';
import { requireArray, requireObject } from './argument-checks';
import {
  type AllKeys,
  type CursorFindOptions,
  FIND_OPTION_KEYS,
  type NoInclude,
  type OffsetFindOptions,
  type ReadOptions,
} from './repository-options';

export type {
  CreateInputWithDefaults,
  CursorFindOptions,
  OffsetFindOptions,
  ReadOptions,
  RelationsOf,
} from './repository-options';

/**
 * The base of every repository: the CRUD and query methods of one table, on whatever provider
 * the adapter talks to. A repository depends only on {@link IDatabaseAdapter}, never on a driver.
 *
 * A subclass names its table and, optionally, the entity class whose class-validator rules check
 * create and update input; it may override {@link prepareCreate} / {@link prepareUpdate} to fill
 * in defaults or normalize values (the user repository lower-cases emails there).
 *
 * `TCreate` is what `create` accepts. Default is {@link CreateInput} of `T`. `R` is the table's
 * relations (`RelationsOf<typeof notesTable>`), which type the rows of a read with `include`.
 * Default is none.
 *
 * @example
 * \@Injectable()
 * export class NotesRepository extends BaseRepository<INote> {
 *   protected readonly table = notesTable;
 * }
 */
@Injectable()
export abstract class BaseRepository<
  T extends IBaseEntity,
  TCreate extends object = CreateInput<T>,
  R = unknown,
> {
  /** The table this repository reads and writes, from {@link defineTable}. */
  protected abstract readonly table: TableDefinition<T, R>;

  /**
   * The class whose class-validator rules check create, update and upsert input. Default is no
   * validation beyond the column types the adapter checks.
   */
  protected readonly entityClass?: EntityClass<T>;

  /**
   * How this repository's reads use the cache layer (docs/caching.md) when they do not say so
   * themselves with `cache` in their options: `{ ttlMs }` (or `true`) caches every read of the
   * repository outside transactions. Ignored when the module has no cache. Default is none: a
   * read is cached only when it asks.
   */
  protected readonly cacheReads?: ReadCache;

  // Built on first use: subclass fields (entityClass, table) are not set yet in this constructor.
  private validator?: EntityValidator<T>;

  /**
   * @param adapter - The active database adapter. A subclass that declares no constructor gets it
   *   injected through this one's `@InjectDatabaseAdapter()`.
   */
  constructor(@InjectDatabaseAdapter() protected readonly adapter: IDatabaseAdapter) {}

  /** Inserts a row after validating it; the library sets id, createdAt and updatedAt. */
  create(data: TCreate): Promise<T> {
    try {
      const input = this.prepareCreate(requireObject(data, 'data'));
      this.validateCreate([input]);
      return this.adapter.create(input, this.table);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Inserts every row or none. All rows are validated first; one ValidationException lists the
   * bad fields of every row, named `<index>.<field>`.
   */
  async createMany(data: readonly TCreate[]): Promise<T[]> {
    const inputs = requireArray(data, 'data').map((row, index) =>
      this.prepareCreate(requireObject(row, String(index))),
    );
    this.validateCreate(inputs);
    return this.adapter.createMany(inputs, this.table);
  }

  /**
   * Inserts the row, or when a live row has the same `conflictField`, updates it with these values
   * (`onConflict: 'update'`) or leaves it as it is (`'ignore'`). Atomic on every provider. With
   * `orderedBy`, the update happens only when the given value of that property is at least the
   * stored one (see {@link UpsertOptions.orderedBy}); `applied` says whether anything was written.
   */
  async upsert(data: TCreate, options: UpsertOptions<T>): Promise<UpsertResult<T>> {
    const input = this.prepareCreate(requireObject(data, 'data'));
    this.validateCreate([input]);
    return this.adapter.upsert(input, this.table, options);
  }

  /**
   * Upserts every row as {@link upsert} does; results in input order. All rows are validated
   * first, as by createMany. Atomic where `capabilities.atomicUpsertMany` (the SQL providers).
   */
  async upsertMany(
    data: readonly TCreate[],
    options: UpsertOptions<T>,
  ): Promise<UpsertResult<T>[]> {
    const inputs = requireArray(data, 'data').map((row, index) =>
      this.prepareCreate(requireObject(row, String(index))),
    );
    this.validateCreate(inputs);
    return this.adapter.upsertMany(inputs, this.table, options);
  }

  /** The row, or null when it is missing or soft-deleted (unless `includeDeleted`). */
  findById(id: string, options?: FindByIdOptions): Promise<T | null> {
    return this.adapter.findById(id, this.table, this.withCacheReads(options));
  }

  /** The live rows among these ids, in one query, in no particular order. */
  findByIds(ids: readonly string[], options?: FindByIdOptions): Promise<T[]> {
    return this.adapter.findByIds(ids, this.table, this.withCacheReads(options));
  }

  /**
   * Every matching row (or one page of them when `pagination` is given), ordered. With `select`,
   * each row holds only those properties, and the result type narrows to them; with `include`,
   * each comes with its related rows, typed by the table's relations.
   */
  findMany<K extends AllKeys<T> = AllKeys<T>, const I extends object = NoInclude>(
    options: ReadOptions<T, K> & { include?: IncludeOf<I, R> } = {},
  ): Promise<WithIncluded<Selected<T, K>, R, I>[]> {
    return this.adapter.findMany(
      this.withCacheReads(options as FindOptions),
      this.table,
    ) as Promise<never>;
  }

  /**
   * The first matching row, or null. Takes either filters or full read options: an argument whose
   * keys are all {@link FindOptions} keys (`filters`, `orderBy`, …) and not columns is options.
   */
  findFirst<K extends AllKeys<T> = AllKeys<T>, const I extends object = NoInclude>(
    filtersOrOptions?: IFilterOptions<T> | (ReadOptions<T, K> & { include?: IncludeOf<I, R> }),
  ): Promise<WithIncluded<Selected<T, K>, R, I> | null> {
    const options = this.toFindOptions(filtersOrOptions as IFilterOptions | FindOptions);
    return this.adapter.findFirst(this.withCacheReads(options), this.table) as Promise<never>;
  }

  /** One cursor page; pass `nextCursor` as `pagination.after` for the next. */
  findWithPagination<K extends AllKeys<T> = AllKeys<T>, const I extends object = NoInclude>(
    options: CursorFindOptions<T, K> & { include?: IncludeOf<I, R> },
  ): Promise<ICursorPaginatedResult<WithIncluded<Selected<T, K>, R, I>>>;
  /** One offset page with the total count. Default is page 1 of 20. */
  findWithPagination<K extends AllKeys<T> = AllKeys<T>, const I extends object = NoInclude>(
    options?: OffsetFindOptions<T, K> & { include?: IncludeOf<I, R> },
  ): Promise<IPaginatedResult<WithIncluded<Selected<T, K>, R, I>>>;
  /** An offset or a cursor page, as the options say (options built at run time). */
  findWithPagination<K extends AllKeys<T> = AllKeys<T>>(
    options: OffsetFindOptions<T, K> | CursorFindOptions<T, K>,
  ): Promise<IPaginatedResult<Selected<T, K>> | ICursorPaginatedResult<Selected<T, K>>>;
  findWithPagination(
    options: OffsetFindOptions<T> | CursorFindOptions<T> = {},
  ): Promise<IPaginatedResult<T> | ICursorPaginatedResult<T>> {
    return this.adapter.findPage(this.withCacheReads(options as FindOptions), this.table);
  }

  /**
   * Changes the given properties of a live row and bumps updatedAt (and `version` on a versioned
   * table); RecordNotFoundException when the row is missing or soft-deleted. With
   * `{ expectedVersion }` (versioned tables), only at that version, else OptimisticLockException
   * carrying the current one.
   */
  update(id: string, data: UpdateInput<T>, options?: UpdateOptions): Promise<T> {
    // Not `async`: the adapter's promise is returned as it is, without a second promise and the
    // turns it takes to adopt it; a throw before it is the same rejection an async method gives.
    try {
      const input = this.prepareUpdate(requireObject(data, 'data'));
      this.validatorOrUndefined()?.assertUpdate(input);
      return this.adapter.update(id, input, this.table, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Adds `by` to an integer property and applies `data` (validated like an update) in one atomic
   * step; RecordNotFoundException when the row is missing or soft-deleted.
   */
  async increment(
    id: string,
    field: keyof T & string,
    by: number,
    data: UpdateInput<T> = {},
  ): Promise<T> {
    const input = this.prepareUpdate(requireObject(data, 'data'));
    this.validatorOrUndefined()?.assertUpdate(input);
    return this.adapter.increment(id, field, by, this.table, input);
  }

  /** Sets deletedAt; RecordNotFoundException when missing or already deleted. */
  softDelete(id: string): Promise<void> {
    return this.adapter.softDelete(id, this.table);
  }

  /** Clears deletedAt and returns the row; RecordNotFoundException when missing or not deleted. */
  restore(id: string): Promise<T> {
    return this.adapter.restore(id, this.table);
  }

  /** Removes the row for good; RecordNotFoundException when missing. */
  hardDelete(id: string): Promise<void> {
    return this.adapter.hardDelete(id, this.table);
  }

  /**
   * Changes every live row matching `filters` in one statement (data validated as by
   * {@link update}); returns how many. An empty filter needs `{ all: true }`.
   */
  async updateMany(
    filters: IFilterOptions | undefined,
    data: UpdateInput<T>,
    options?: BulkWriteOptions,
  ): Promise<number> {
    const input = this.prepareUpdate(requireObject(data, 'data'));
    this.validatorOrUndefined()?.assertUpdate(input);
    return this.adapter.updateMany(filters, input, this.table, options);
  }

  /** Soft-deletes every live row matching `filters`; returns how many. */
  softDeleteMany(filters: IFilterOptions | undefined, options?: BulkWriteOptions): Promise<number> {
    return this.adapter.softDeleteMany(filters, this.table, options);
  }

  /** Restores every soft-deleted row matching `filters`; returns how many. */
  restoreMany(filters: IFilterOptions | undefined, options?: BulkWriteOptions): Promise<number> {
    return this.adapter.restoreMany(filters, this.table, options);
  }

  /** Removes for good every live row (all, with `includeDeleted`) matching `filters`. */
  deleteMany(filters: IFilterOptions | undefined, options?: DeleteManyOptions): Promise<number> {
    return this.adapter.deleteMany(filters, this.table, options);
  }

  /**
   * Raw SQL for a subclass's own queries, values bound: ``this.sql.map(this.table)`SELECT …` ``
   * for this table's entities, ``this.sql<Row>`…` `` for plain rows. Joins the open transaction.
   */
  protected get sql(): SqlTag {
    return this.adapter.sql;
  }

  /** The number of matching rows (live ones unless `includeDeleted`). */
  count(filters?: IFilterOptions<T>, options?: FindByIdOptions): Promise<number> {
    return this.adapter.count(
      filters as IFilterOptions | undefined,
      this.table,
      this.withCacheReads(options),
    );
  }

  /** Whether a live row (or any row, with `includeDeleted`) has this id. */
  exists(id: string, options?: FindByIdOptions): Promise<boolean> {
    return this.adapter.exists(id, this.table, this.withCacheReads(options));
  }

  /**
   * Counts, sums, averages, minimums and maximums over the matching rows, grouped by `groupBy`
   * and ordered by it; the result is typed from the request (see {@link IDatabaseAdapter.aggregate}).
   *
   * @example
   * const byCurrency = await payments.aggregate({
   *   filters: { status: 'succeeded' },
   *   groupBy: ['currency'],
   *   count: true,
   *   sum: ['amount'],
   * }); // [{ currency: 'eur', count: 2, sum: { amount: '4200' } }, …]
   */
  aggregate<const O extends AggregateOptions<T>>(options: O): Promise<AggregateRow<T, O>[]> {
    return this.adapter.aggregate(options, this.table);
  }

  /**
   * Every matching row, in order, read `batchSize` rows at a time (default 100) by cursor
   * pagination, holding one batch at a time; breaking out of the loop stops reading. Inside a
   * transaction each batch joins it (see {@link IDatabaseAdapter.iterate}).
   *
   * @example
   * for await (const user of users.iterate({ filters: { status: 'active' } })) await notify(user);
   */
  iterate(options: IterateFindOptions = {}, iterateOptions?: IterateOptions): AsyncIterable<T> {
    return this.adapter.iterate(options, this.table, iterateOptions);
  }

  /**
   * Runs `work` in one transaction: repository calls inside it join it. A throw rolls it back.
   * `options` as {@link IDatabaseAdapter.transaction}'s (propagation, isolation). Throws
   * TransactionNotSupportedException where the provider has no transactions (Supabase).
   */
  async transaction<R>(work: () => Promise<R>, options?: TransactionOptions): Promise<R> {
    checkWork(work);
    return this.adapter.transaction(work, options);
  }

  /**
   * Turns what `create`/`upsert` received into the row to insert: fills defaults, normalizes
   * values. Runs before validation. Default is the input unchanged.
   */
  protected prepareCreate(data: TCreate): CreateInput<T> {
    return data as unknown as CreateInput<T>;
  }

  /** As {@link prepareCreate}, for `update`. Default is the input unchanged. */
  protected prepareUpdate(data: UpdateInput<T>): UpdateInput<T> {
    return data;
  }

  /** Read options with the repository's {@link cacheReads}, unless they say `cache` themselves. */
  private withCacheReads<O extends { cache?: ReadCache }>(options: O): O;
  private withCacheReads<O extends { cache?: ReadCache }>(options: O | undefined): O | undefined;
  private withCacheReads<O extends { cache?: ReadCache }>(options: O | undefined): O | undefined {
    if (this.cacheReads === undefined || options?.cache !== undefined) return options;
    return { ...options, cache: this.cacheReads } as O;
  }

  private validateCreate(inputs: readonly CreateInput<T>[]): void {
    const validator = this.validatorOrUndefined();
    if (!validator) return;
    if (inputs.length === 1) {
      validator.assertCreate(inputs[0]);
      return;
    }
    const violations: FieldViolation[] = [];
    inputs.forEach((input, index) => {
      violations.push(...validator.createViolations(input, `${index}.`));
    });
    validator.throwIfAny(violations);
  }

  private validatorOrUndefined(): EntityValidator<T> | undefined {
    if (!this.validator && this.entityClass) {
      this.validator = new EntityValidator(this.entityClass, this.table.name);
    }
    return this.validator;
  }

  private toFindOptions(argument: IFilterOptions | FindOptions | undefined): FindOptions {
    if (argument === undefined || argument === null) return {};
    const keys = Object.keys(argument);
    const isOptions =
      keys.length > 0 &&
      keys.every((key) => FIND_OPTION_KEYS.has(key) && this.table.column(key) === undefined);
    return isOptions ? (argument as FindOptions) : { filters: argument as IFilterOptions };
  }
}
