import { checkId, checkIds } from '../../query/operation-input';
import { cursorPage, planPage } from '../../query/page';
import { planCount, planFind } from '../../query/plan-query';
import type { QueryPlan } from '../../query/query-plan';
import type { IBaseEntity, TableDefinition } from '../../schema/table-definition';
import type {
  FindByIdOptions,
  FindOptions,
  ICursorPaginatedResult,
  IFilterOptions,
  IPaginatedResult,
} from '../database-adapter.interface';
import { readOffsetPage } from './offset-page';
import { tableSql } from './sql-compiler';
import { withIncluded } from './sql-include';
import type { SqlEngine } from './sql-engine';
import { andThen, settle, type NowOrLater } from './now-or-later';

/**
 * The read operations of the contract, written once for every SQL engine: each checks its input,
 * picks a statement (fixed per table, or compiled once per plan shape), runs it through the
 * engine and maps the rows. None is `async`: each makes one promise, at the end (`settle`), and
 * passes a synchronous driver's result along as it is until then (see now-or-later.ts).
 */

export function findById<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  id: string,
  table: TableDefinition<T>,
  options?: FindByIdOptions,
): Promise<T | null> {
  return settle(() => {
    const key = checkId(table, id);
    const sql = tableSql(table, engine.dialect);
    const text = options?.includeDeleted ? sql.findByIdWithDeleted : sql.findById;
    const statement = { text, values: [key], fixed: true, single: true };
    return andThen(engine.runNow('findById', table, statement), ({ rows }) =>
      rows.length > 0 ? sql.mapRow(rows[0]) : null,
    );
  });
}

export function findByIds<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  ids: readonly string[],
  table: TableDefinition<T>,
  options?: FindByIdOptions,
): Promise<T[]> {
  return settle(() => {
    const keys = checkIds(table, ids, engine.limits.maxInListSize);
    if (keys.length === 0) return [];
    const sql = tableSql(table, engine.dialect);
    const text = options?.includeDeleted ? sql.findByIdsWithDeleted : sql.findByIds;
    const values = [engine.dialect.inListParam(table.primaryKey, keys)];
    return andThen(engine.runNow('findByIds', table, { text, values, fixed: true }), ({ rows }) =>
      rows.map(sql.mapRow),
    );
  });
}

export function findMany<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  options: FindOptions,
  table: TableDefinition<T>,
): Promise<T[]> {
  return settle(() => select('findMany', engine, planFind(table, options, engine.limits), table));
}

export function findFirst<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  options: FindOptions,
  table: TableDefinition<T>,
): Promise<T | null> {
  return settle(() => {
    const plan = planFind(table, options, engine.limits, { limit: 1 });
    return andThen(select('findFirst', engine, plan, table), (rows) => rows[0] ?? null);
  });
}

export function findPage<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  options: FindOptions,
  table: TableDefinition<T>,
): Promise<IPaginatedResult<T> | ICursorPaginatedResult<T>> {
  return settle<IPaginatedResult<T> | ICursorPaginatedResult<T>>(() => {
    const plan = planPage(table, options, engine.limits);
    if (plan.cursor) {
      return andThen(select('findPage', engine, plan, table), (rows) => cursorPage(plan, rows));
    }
    const counted = planCount(table, options?.filters, options?.includeDeleted, engine.limits);
    return readOffsetPage(
      plan,
      () => engine.runPlan('findPage', 'page', plan).then(({ rows }) => rows),
      () => countRows('findPage', engine, counted),
      // The rows of pageText carry the total before the includes.
      withIncluded(plan, engine.dialect, tableSql(table, engine.dialect).mapperOf(plan), 1),
      (work) => inOneSnapshot(engine, work),
    );
  });
}

const SNAPSHOT = { propagation: 'REQUIRED', isolation: 'repeatable read' } as const;

/**
 * Runs findPage's last attempt so that its rows and its count share one snapshot: a transaction
 * on a single-connection engine (no other statement can come between), a REPEATABLE READ one on
 * a pool. Inside the flow's own transaction it runs there as it is.
 */
function inOneSnapshot<R>(engine: SqlEngine<unknown>, work: () => Promise<R>): Promise<R> {
  if (engine.driver.connections.exclusive) return engine.transactions.run(work);
  return engine.transactions.inTransaction() ? work() : engine.transactions.run(work, SNAPSHOT);
}

export function count<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  filters: IFilterOptions | undefined,
  table: TableDefinition<T>,
  options?: FindByIdOptions,
): Promise<number> {
  return settle(() => {
    const plan = planCount(table, filters, options?.includeDeleted, engine.limits);
    return countNow('count', engine, plan);
  });
}

export function exists<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  id: string,
  table: TableDefinition<T>,
  options?: FindByIdOptions,
): Promise<boolean> {
  return settle(() => {
    const key = checkId(table, id);
    const sql = tableSql(table, engine.dialect);
    const text = options?.includeDeleted ? sql.existsWithDeleted : sql.exists;
    const statement = { text, values: [key], fixed: true, single: true };
    return andThen(engine.runNow('exists', table, statement), ({ rows }) => rows.length > 0);
  });
}

function select<T extends IBaseEntity>(
  operation: string,
  engine: SqlEngine<unknown>,
  plan: QueryPlan,
  table: TableDefinition<T>,
): NowOrLater<T[]> {
  const mapRow = withIncluded(plan, engine.dialect, tableSql(table, engine.dialect).mapperOf(plan));
  return andThen(engine.runPlanNow(operation, 'select', plan), ({ rows }) => rows.map(mapRow));
}

function countRows(
  operation: string,
  engine: SqlEngine<unknown>,
  plan: QueryPlan,
): Promise<number> {
  return settle(() => countNow(operation, engine, plan));
}

function countNow(
  operation: string,
  engine: SqlEngine<unknown>,
  plan: QueryPlan,
): NowOrLater<number> {
  // PostgreSQL's COUNT(*) is a bigint, which its drivers return as text or a BigInt.
  return andThen(engine.runPlanNow(operation, 'count', plan), ({ rows }) => Number(rows[0][0]));
}
