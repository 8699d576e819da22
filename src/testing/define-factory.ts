import { ValidationException } from '../exceptions';
import { normalizeCreate, nowTimestamp } from '../query/normalize-write';
import type { CreateInput, IBaseEntity, TableDefinition } from '../schema/table-definition';
import { type EntityClass, EntityValidator } from '../validation/entity-validator';

/** What a factory writes through: a repository (any `BaseRepository` of the table). */
export interface FactoryRepository<T extends IBaseEntity> {
  create(data: CreateInput<T>): Promise<T>;
  createMany(data: readonly CreateInput<T>[]): Promise<T[]>;
}

/** Options of {@link defineFactory}. */
export interface FactoryOptions<T extends IBaseEntity> {
  /**
   * A class whose class-validator rules every build must pass too, as the repository's
   * `entityClass` checks its input. Default is none: the table's own rules only.
   */
  entityClass?: EntityClass<T>;
}

/** Builds valid create inputs for one table; made by {@link defineFactory}. */
export interface Factory<T extends IBaseEntity> {
  /** The table the inputs are for. */
  readonly table: TableDefinition<T>;
  /**
   * One create input: the factory's values for the next sequence number, `overrides` on top
   * (an `undefined` override leaves the value as it was), declared defaults for what is still
   * missing. Checked against the table's rules.
   *
   * @throws ValidationException naming each field that breaks them.
   */
  build(overrides?: Partial<CreateInput<T>>): CreateInput<T>;
  /** `count` inputs, each with the next sequence number; see {@link build}. */
  buildMany(count: number, overrides?: Partial<CreateInput<T>>): CreateInput<T>[];
  /** Builds one input and creates it through `repository`. */
  create(repository: FactoryRepository<T>, overrides?: Partial<CreateInput<T>>): Promise<T>;
  /** Builds `count` inputs and creates them through `repository`, all or none. */
  createMany(
    repository: FactoryRepository<T>,
    count: number,
    overrides?: Partial<CreateInput<T>>,
  ): Promise<T[]>;
}

/**
 * Any property value, spelled with `string` in it: while TypeScript still infers the table's
 * entity type, a property's constraint without `string` makes it widen `status: 'draft'` in the
 * values a factory returns to `string`, which an enum column then refuses.
 */
type PropertyValue = string | NonNullable<unknown> | null | undefined;

/**
 * Defines a factory of valid rows for a table declared with `defineTable`, for tests and seeds.
 * `values(seq)` gives a row's values; `seq` is 1 for the first build of this factory and grows by
 * one with every build, so a unique column stays unique (`email: \`user${seq}@example.com\``).
 * Every build is checked with the same rules as a write (type, nullability, length, enum, range,
 * unknown and managed properties), so a factory that drifts from its table fails where it is
 * used, naming the field.
 *
 * @example
 * const invoices = defineFactory(invoicesTable, (seq) => ({
 *   number: `INV-${seq}`,
 *   amountCents: 1000 * seq,
 *   status: 'draft',
 * }));
 * const paid = await invoices.create(invoicesRepository, { status: 'paid' });
 */
export function defineFactory<T extends IBaseEntity & { [K in keyof T]: PropertyValue }>(
  table: TableDefinition<T>,
  values: (seq: number) => Partial<CreateInput<T>>,
  options: FactoryOptions<T> = {},
): Factory<T> {
  if (typeof values !== 'function') {
    throw new ValidationException(
      `defineFactory(${table.name}): values must be a function`,
      'values',
    );
  }
  const validator = options.entityClass
    ? new EntityValidator(options.entityClass, table.name)
    : undefined;
  let seq = 0;
  const build = (overrides?: Partial<CreateInput<T>>): CreateInput<T> => {
    seq += 1;
    const row = { ...defaultsOf(table), ...values(seq) } as Record<string, unknown>;
    for (const [property, value] of Object.entries(overrides ?? {})) {
      if (value !== undefined) row[property] = value;
    }
    normalizeCreate(table, row, nowTimestamp());
    validator?.assertCreate(row);
    return row as CreateInput<T>;
  };
  const buildMany = (count: number, overrides?: Partial<CreateInput<T>>): CreateInput<T>[] => {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new ValidationException('count must be a whole number of at least 0', 'count');
    }
    return Array.from({ length: count }, () => build(overrides));
  };
  const factory: Factory<T> = {
    table,
    build,
    buildMany,
    create: async (repository, overrides) => repository.create(build(overrides)),
    createMany: async (repository, count, overrides) =>
      repository.createMany(buildMany(count, overrides)),
  };
  return Object.freeze(factory);
}

/** The declared DDL defaults: what the database would store for a column left out. */
function defaultsOf(table: TableDefinition<any>): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const column of table.columns) {
    if (column.defaultValue !== undefined) defaults[column.property] = column.defaultValue;
  }
  return defaults;
}
