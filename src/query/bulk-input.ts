import type {
  DeleteManyOptions,
  IFilterOptions,
  UpsertOptions,
} from '../adapters/database-adapter.interface';
import { ValidationException } from '../exceptions';
import type { CreateInput, IBaseEntity, TableDefinition } from '../schema/table-definition';
import { checkUpsertOptions, normalizeCreateMany, requireSoftDelete } from './operation-input';
import { nowTimestamp, type WriteValues } from './normalize-write';
import { isPlainObject, planFilters } from './plan-filters';
import type { QueryLimits } from './plan-query';
import type { Condition, QueryPlan } from './query-plan';

/** Which rows a bulk write may touch, besides its filters. */
export type BulkScope = 'live' | 'deleted' | 'any';

/**
 * Checks a bulk write's filters and options the same way on every provider and plans the rows it
 * touches: the filters as findMany plans them, plus the scope's test on deletedAt. An empty filter
 * is a ValidationException unless `options.all` is true: a forgotten filter must not rewrite a
 * table. Returns the plan (without order or page; its shape is unused).
 */
export function planBulkWrite(
  operation: string,
  table: TableDefinition<any>,
  filters: IFilterOptions | undefined,
  options: DeleteManyOptions | undefined,
  scope: BulkScope,
  limits: QueryLimits,
): QueryPlan {
  if (options !== undefined && !isPlainObject(options))
    throw new ValidationException(`${operation}: options must be an object`, 'options');
  const all = options?.all ?? false;
  if (typeof all !== 'boolean')
    throw new ValidationException(`${operation}: options.all must be a boolean`, 'all');
  const conditions = planFilters(table, filters, limits);
  if (conditions.length === 0 && !all) {
    throw new ValidationException(
      `${operation}: no filter given; pass { all: true } to write every row of ${table.name}`,
      'filters',
    );
  }
  const deletedAt = table.column('deletedAt');
  if (deletedAt && scope !== 'any') {
    conditions.unshift({ kind: 'null', column: deletedAt, isNull: scope === 'live' });
  }
  return { table, conditions, orderBy: [], shape: '' };
}

/**
 * What softDeleteMany (`live`: deletedAt set) and restoreMany (`deleted`: cleared) write, with
 * updatedAt; ValidationException on a table without soft delete.
 */
export function deletedAtValues(
  table: TableDefinition<any>,
  scope: 'live' | 'deleted',
): WriteValues {
  requireSoftDelete(table);
  const now = nowTimestamp();
  return new Map([
    [table.column('deletedAt')!, scope === 'live' ? now : null],
    [table.column('updatedAt')!, now],
  ]);
}

/** Whether the plan can match no row (an empty IN list): then nothing is sent. */
export function matchesNothing(conditions: readonly Condition[]): boolean {
  return conditions.some((c) => c.kind === 'never');
}

/** deleteMany's scope: live rows, or every row with `includeDeleted`. */
export function deleteScope(options: DeleteManyOptions | undefined): BulkScope {
  const include = isPlainObject(options) ? options.includeDeleted : undefined;
  if (include !== undefined && typeof include !== 'boolean')
    throw new ValidationException('deleteMany: includeDeleted must be a boolean', 'includeDeleted');
  return include ? 'any' : 'live';
}

/** The rows of an upsertMany, checked before anything is sent. */
export interface CheckedUpsertMany {
  readonly conflict: ReturnType<typeof checkUpsertOptions>;
  /** Each row normalized as by create (ids and timestamps made), in input order. */
  readonly rows: WriteValues[];
}

/**
 * Checks upsertMany's rows and options the same way on every provider: the options as for
 * upsert, every row as for createMany, and no two rows with the same non-null conflict value
 * (one statement cannot both insert and update a key, and which row won would be arbitrary).
 */
export function checkUpsertMany<T extends IBaseEntity>(
  table: TableDefinition<T>,
  data: readonly CreateInput<T>[],
  options: UpsertOptions<T>,
): CheckedUpsertMany {
  const conflict = checkUpsertOptions(table, options);
  if (!Array.isArray(data)) throw new ValidationException('upsertMany takes an array', 'data');
  const rows = normalizeCreateMany(table, data);
  const seen = new Map<string, number>();
  rows.forEach((values, index) => {
    const key = values.get(conflict);
    if (key === null || key === undefined) return;
    const first = seen.get(String(key));
    if (first !== undefined) {
      throw new ValidationException(
        `upsertMany: rows ${first} and ${index} have the same ${conflict.property}`,
        `${index}.${conflict.property}`,
      );
    }
    seen.set(String(key), index);
  });
  return { conflict, rows };
}
