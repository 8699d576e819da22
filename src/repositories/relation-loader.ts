import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import { ValidationException } from '../exceptions';
import type { IncludeOptions } from '../query/include-options';
import type { IBaseEntity, TableDefinition } from '../schema/table-definition';
import { requireArray, requireKeys } from './argument-checks';

/**
 * Loads the live rows of `table` whose `property` is one of `ids`, in one query (an IN filter),
 * ordered by createdAt then id. Empty `ids` returns `[]` without a query. The adapter caps an IN
 * list at its `maxInListSize` (default 10,000) and rejects longer ones with a ValidationException.
 * `ids` that is not an array of non-empty strings is a ValidationException naming `argument`
 * (default `ids`).
 */
export async function loadByForeignKey<T extends IBaseEntity>(
  adapter: IDatabaseAdapter,
  table: TableDefinition<T>,
  property: keyof T & string,
  ids: readonly string[],
  argument = 'ids',
): Promise<T[]> {
  if (requireKeys(ids, argument).length === 0) return [];
  return adapter.findMany({ filters: { [property]: { in: ids } } }, table);
}

/**
 * The rows of `table` with these ids, soft-deleted ones included, each read with its `include`d
 * relations in one query (see docs/querying.md, "Relations"), by id. Empty `ids` returns an empty
 * map without a query; other checks as {@link loadByForeignKey}'s.
 */
export async function loadIncluded<T extends IBaseEntity>(
  adapter: IDatabaseAdapter,
  table: TableDefinition<T, any>,
  ids: readonly string[],
  include: IncludeOptions,
  argument = 'ids',
): Promise<Map<string, T & Record<string, unknown>>> {
  const keys = requireKeys(ids, argument);
  if (keys.length === 0) return new Map();
  const filters = { id: { in: keys } };
  const rows = await adapter.findMany({ filters, includeDeleted: true, include }, table);
  return new Map(rows.map((row) => [row.id, row as T & Record<string, unknown>]));
}

/**
 * Groups rows by the value of one property, keeping their order: one array per key. Keys with no
 * rows are absent; read with `?? []`.
 */
export function groupBy<T, K extends keyof T>(rows: readonly T[], property: K): Map<T[K], T[]> {
  const groups = new Map<T[K], T[]>();
  for (const row of requireArray(rows, 'rows')) {
    if (typeof row !== 'object' || row === null) {
      throw new ValidationException('groupBy takes an array of objects', 'rows');
    }
    const key = row[property];
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}
