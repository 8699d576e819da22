/**
 * The compile-time side of a declaration: which column types fit which TypeScript types, and the
 * entity type a declaration stands for. Nothing here exists at run time.
 */
import type { ColumnOptions, ColumnType } from './column-options';

/** Any value a JSON column holds. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The column types that can store a property of type `V` (null and undefined aside). */
export type ColumnTypesFor<V> = [V] extends [string]
  ? 'uuid' | 'string' | 'text' | 'timestamp'
  : [V] extends [number]
    ? 'integer'
    : [V] extends [boolean]
      ? 'boolean'
      : 'json';

/**
 * The options a property of type `V` may be declared with: a type that stores it, `nullable: true`
 * when it admits null or may be left out, and `enum` only listing values of `V`.
 */
export type ColumnOptionsFor<V> = Omit<ColumnOptions, 'type' | 'nullable' | 'enum'> & {
  type: ColumnTypesFor<NonNullable<V>>;
  enum?: readonly (NonNullable<V> & string)[];
} & NullabilityFor<V>;

/**
 * A property that admits null or may be left out needs a nullable column; an `unknown` (or `any`)
 * property — a JSON payload — may be either.
 */
type NullabilityFor<V> = unknown extends V
  ? { nullable?: boolean }
  : null extends V
    ? { nullable: true }
    : undefined extends V
      ? { nullable: true }
      : { nullable?: false };

/** The TypeScript type of a declared column, null aside. */
type ValueOf<O> = O extends { enum: readonly (infer E)[] }
  ? E
  : O extends { type: infer T extends ColumnType }
    ? {
        uuid: string;
        string: string;
        text: string;
        timestamp: string;
        integer: number;
        boolean: boolean;
        json: JsonValue;
      }[T]
    : never;

type Nullable<O> = O extends { nullable: true } ? true : false;

/** Flattens an intersection for readable hovers and error messages. */
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/**
 * The entity a declaration of columns stands for, managed columns included (`deletedAt` unless
 * `SoftDelete` is false, `version` when `Versioned` is true): a nullable column is `T | null` and
 * may be left out on create.
 */
export type EntityOfColumns<
  C,
  SoftDelete extends boolean = true,
  Versioned extends boolean = false,
> = Simplify<
  { id: string; createdAt: string; updatedAt: string } & (SoftDelete extends false
    ? unknown
    : { deletedAt?: string | null }) &
    (Versioned extends true ? { version: number } : unknown) & {
      -readonly [K in keyof C as Nullable<C[K]> extends true ? never : K]: ValueOf<C[K]>;
    } & {
      -readonly [K in keyof C as Nullable<C[K]> extends true ? K : never]?: ValueOf<C[K]> | null;
    }
>;
