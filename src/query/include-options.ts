import type { IFilterOptions, IOrderByOptions } from '../adapters/database-adapter.interface';
import type { RelationDeclaration } from '../schema/relations';

/** How one relation is read by `include`. Every option is checked like the parent read's. */
export interface IncludeSpec<R = any> {
  /** Filters on the related rows, as a read's. Default is none. */
  filters?: IFilterOptions;
  /** The related rows' order. Default is `createdAt` ascending; ties by `id` in the last key's direction. */
  orderBy?: IOrderByOptions | readonly IOrderByOptions[];
  /** hasMany only: at most this many related rows per parent row. Default is all of them. */
  limit?: number;
  /** Only these properties of the related rows. Default is all of them. */
  select?: readonly (keyof R & string)[];
  /** Include soft-deleted related rows. Default is `false`. */
  includeDeleted?: boolean;
}

/**
 * The `include` of a read: relation name → `true` (every live related row) or an
 * {@link IncludeSpec}.
 */
export type IncludeOptions = Readonly<Record<string, true | IncludeSpec>>;

/**
 * Filters on a relation's rows, given in the parent read's filters under the relation's name:
 * `some` keeps a row with at least one live related row matching, `none` one with no such row,
 * `every` one whose live related rows all match (also a row with none). Several are ANDed.
 */
export interface IRelationFilter {
  some?: IFilterOptions;
  none?: IFilterOptions;
  every?: IFilterOptions;
}

/** The entity type a relation declaration leads to. */
export type RelatedEntity<D> = D extends RelationDeclaration<any, infer R> ? R : never;

/** The `include` a table with relations `Rels` accepts, typed by each related entity. */
export type IncludeFor<Rels> = {
  [K in keyof Rels]?: true | IncludeSpec<RelatedEntity<Rels[K]>>;
};

type IncludedRow<D, S> = S extends { select: readonly (infer P)[] }
  ? Pick<RelatedEntity<D>, P & keyof RelatedEntity<D>>
  : RelatedEntity<D>;

type IncludedValue<D, S> =
  D extends RelationDeclaration<'hasMany', any> ? IncludedRow<D, S>[] : IncludedRow<D, S> | null;

/**
 * A row of `T` read with the included relations `I` of its relations `Rels`: an array for
 * hasMany, the row or null for belongsTo and hasOne, narrowed to a `select` where given.
 */
export type WithIncluded<T, Rels, I> = [keyof I] extends [never]
  ? T
  : T & { [K in keyof I & keyof Rels]: IncludedValue<Rels[K], NonNullable<I[K]>> };

/**
 * The `include` a typed read accepts: `I` as given, each key one of the relations `Rels` (another
 * is a compile error) with the options of its related entity. An untyped `include` (any string
 * key) is left to the runtime planner, which refuses an unknown relation.
 */
export type IncludeOf<I, Rels> = string extends keyof I
  ? // Untyped options (built at run time, keyed by any string): checked by the planner instead.
    I
  : I & IncludeFor<Rels> & { [K in Exclude<keyof I, keyof Rels>]: never };
