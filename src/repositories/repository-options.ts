// The option and input types of repositories: what BaseRepository's methods take, typed by the
// entity, and what a read without options of its own is.
import type {
  FindOptions,
  ICursorPaginationOptions,
  IPaginationOptions,
} from '../adapters/database-adapter.interface';
import type { CreateInput, IBaseEntity, TableDefinition } from '../schema/table-definition';

/** Every property of `T` that can be selected: the default selection. */
export type AllKeys<T> = keyof T & string;

/**
 * Read options of a repository: {@link FindOptions} typed by `T`, whose `select` narrows the rows
 * to `K`. (Not `FindOptions<T, K>` itself, so untyped `FindOptions` infer no `K` of `string`.)
 */
export type ReadOptions<T = any, K extends AllKeys<T> = AllKeys<T>> = Omit<
  FindOptions<T>,
  'select'
> & { select?: readonly K[] };

/** Read options with offset pagination (or none: page 1 of 20). */
export type OffsetFindOptions<T = any, K extends AllKeys<T> = AllKeys<T>> = Omit<
  FindOptions<T, K>,
  'pagination'
> & {
  pagination?: IPaginationOptions;
};

/** Read options with cursor (keyset) pagination. */
export type CursorFindOptions<T = any, K extends AllKeys<T> = AllKeys<T>> = Omit<
  FindOptions<T, K>,
  'pagination'
> & {
  // `page?: never` keeps an offset page from matching the cursor overloads.
  pagination: ICursorPaginationOptions & { page?: never };
};

/**
 * A create input where some properties may be left out because the repository fills them in
 * (`role` of a user, `retryCount` of a webhook event).
 */
export type CreateInputWithDefaults<T extends IBaseEntity, K extends keyof CreateInput<T>> = Omit<
  CreateInput<T>,
  K
> &
  Partial<Pick<CreateInput<T>, K>>;

/** The keys of {@link FindOptions}: an argument made only of these is options, not filters. */
export const FIND_OPTION_KEYS: ReadonlySet<string> = new Set([
  'filters',
  'orderBy',
  'pagination',
  'includeDeleted',
  'select',
  'include',
  'cache',
]);

/** The relations declared on a table definition's type (`withRelations`). */
export type RelationsOf<D> = D extends TableDefinition<any, infer R> ? R : never;

/** No include: what a read without `include` is typed with. */
export type NoInclude = Record<never, never>;
