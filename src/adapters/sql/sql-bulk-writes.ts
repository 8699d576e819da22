import {
  deletedAtValues,
  deleteScope,
  matchesNothing,
  planBulkWrite,
} from '../../query/bulk-input';
import { normalizeUpdate, nowTimestamp, type WriteValues } from '../../query/normalize-write';
import type { QueryPlan } from '../../query/query-plan';
import type { IBaseEntity, TableDefinition, UpdateInput } from '../../schema/table-definition';
import type {
  BulkWriteOptions,
  DeleteManyOptions,
  IFilterOptions,
} from '../database-adapter.interface';
import { REDACTED } from '../query-observer';
import { planParams, redactedPlanParams, tableSql } from './sql-compiler';
import { Placeholders, whereText } from './sql-conditions';
import { quoteIdentifier as q } from './sql-dialect';
import type { SqlEngine } from './sql-engine';

/**
 * The bulk writes on every SQL engine: one `UPDATE … WHERE` or `DELETE … WHERE` statement each,
 * whose WHERE is the planner's (values bound, never spliced), returning the count of rows changed.
 * Input is checked before anything is sent; a filter that can match nothing sends nothing.
 */

export async function updateMany<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  filters: IFilterOptions | undefined,
  data: UpdateInput<T>,
  table: TableDefinition<T>,
  options?: BulkWriteOptions,
): Promise<number> {
  const plan = planBulkWrite('updateMany', table, filters, options, 'live', engine.limits);
  const values = normalizeUpdate(table, data, nowTimestamp());
  return setMany(engine, 'updateMany', plan, values);
}

export function softDeleteMany<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  filters: IFilterOptions | undefined,
  table: TableDefinition<T>,
  options?: BulkWriteOptions,
): Promise<number> {
  return setDeletedMany(engine, 'softDeleteMany', filters, table, options, 'live');
}

export function restoreMany<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  filters: IFilterOptions | undefined,
  table: TableDefinition<T>,
  options?: BulkWriteOptions,
): Promise<number> {
  return setDeletedMany(engine, 'restoreMany', filters, table, options, 'deleted');
}

export async function deleteMany<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  filters: IFilterOptions | undefined,
  table: TableDefinition<T>,
  options?: DeleteManyOptions,
): Promise<number> {
  const scope = deleteScope(options);
  const plan = planBulkWrite('deleteMany', table, filters, options, scope, engine.limits);
  if (matchesNothing(plan.conditions)) return 0;
  const { dialect } = engine;
  // No search index: the LIKE test decides a search alone (as in claim).
  const where = whereText(plan.conditions, dialect, new Placeholders(dialect), undefined);
  const { changes } = await engine.run('deleteMany', table, {
    text: `DELETE FROM ${q(table.name)}${where}`,
    values: planParams(plan, dialect),
    redacted: () => redactedPlanParams(plan, dialect, REDACTED),
  });
  return changes;
}

/** Sets (`live` rows) or clears (`deleted` rows) deletedAt, and updatedAt, in the rows matched. */
async function setDeletedMany(
  engine: SqlEngine<unknown>,
  operation: string,
  filters: IFilterOptions | undefined,
  table: TableDefinition<any>,
  options: BulkWriteOptions | undefined,
  scope: 'live' | 'deleted',
): Promise<number> {
  const values = deletedAtValues(table, scope);
  const plan = planBulkWrite(operation, table, filters, options, scope, engine.limits);
  return setMany(engine, operation, plan, values);
}

/**
 * `UPDATE t SET <values> [, version = version + 1] WHERE <plan>`: every change of a row bumps the
 * version of a versioned table, in the same statement. Not `fixed`: a filter's values must reach
 * the planner. Params: the set values, then the plan's.
 */
async function setMany(
  engine: SqlEngine<unknown>,
  operation: string,
  plan: QueryPlan,
  values: WriteValues,
): Promise<number> {
  if (matchesNothing(plan.conditions)) return 0;
  const { dialect } = engine;
  const { table } = plan;
  const sql = tableSql(table, dialect);
  const ph = new Placeholders(dialect);
  const columns = [...values.keys()];
  const sets = columns.map((c) => `${q(c.column)} = ${ph.take()}`);
  if (table.versioned) sets.push(`${q('version')} = ${q(table.name)}.${q('version')} + 1`);
  const where = whereText(plan.conditions, dialect, ph, undefined);
  const params = columns.map((c) => dialect.encode(c, values.get(c)));
  const { changes } = await engine.run(operation, table, {
    text: `UPDATE ${q(table.name)} SET ${sets.join(', ')}${where}`,
    values: [...params, ...planParams(plan, dialect)],
    redacted: () => [
      ...sql.redact(columns, params, REDACTED),
      ...redactedPlanParams(plan, dialect, REDACTED),
    ],
  });
  return changes;
}
