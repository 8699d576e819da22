import { checkClaim, type CheckedClaim } from '../../query/claim-input';
import { nowTimestamp } from '../../query/normalize-write';
import type { IBaseEntity, TableDefinition } from '../../schema/table-definition';
import type { ClaimOptions } from '../database-adapter.interface';
import { REDACTED } from '../query-observer';
import { orderText, planParams, redactedPlanParams, tableSql } from './sql-compiler';
import { Placeholders, whereText } from './sql-conditions';
import { quoteIdentifier as q, type SqlDialect } from './sql-dialect';
import type { SqlStatement } from './sql-driver';
import type { SqlEngine } from './sql-engine';

/**
 * `claim` on every SQL engine: one `UPDATE … WHERE id IN (SELECT id … ORDER BY … LIMIT n) RETURNING
 * …` statement, whose pick is the planner's WHERE text (values bound, never spliced) plus the lease
 * test against the database's clock. Where the dialect has concurrent writers the pick locks its
 * rows `FOR UPDATE SKIP LOCKED`: a row another claim has locked is passed over, and a row it picks
 * is re-tested after any writer that held it committed, so no two claims pick one row. On SQLite
 * the statement holds the one write lock from its pick to its write.
 */
export async function claim<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  options: ClaimOptions<T>,
  table: TableDefinition<T>,
): Promise<T[]> {
  const claimed = checkClaim(table, options, engine.limits, nowTimestamp());
  if (claimed.plan.conditions.some((c) => c.kind === 'never')) return [];
  const { rows } = await engine.run('claim', table, claimStatement(claimed, engine.dialect));
  return rows.map(tableSql(table, engine.dialect).mapRow);
}

/**
 * The claim's statement. Params, in placeholder order: the set values, the lease's milliseconds,
 * the increment's step, the pick's condition values, its limit. Not `fixed`: a filter's values
 * must reach the planner (a named statement may switch to a generic plan that ignores them).
 */
function claimStatement(claimed: CheckedClaim, dialect: SqlDialect): SqlStatement {
  const { plan, set, lease, counter } = claimed;
  const sql = tableSql(plan.table, dialect);
  const ph = new Placeholders(dialect);
  const setColumns = [...set.keys()];
  const assignments = setColumns.map((c) => `${q(c.column)} = ${ph.take()}`);
  const extras: number[] = [];
  if (lease) {
    assignments.push(`${q(lease.column.column)} = ${dialect.clock.after(ph.take())}`);
    extras.push(lease.ms);
  }
  if (counter) {
    const column = q(counter.column.column);
    assignments.push(`${column} = ${column} + ${ph.take()}`);
    extras.push(counter.by);
  }
  // No search index: the LIKE test decides a search alone, and the pick reads few rows.
  let where = whereText(plan.conditions, dialect, ph, undefined);
  if (lease) {
    const column = q(lease.column.column);
    where += `${where ? ' AND' : ' WHERE'} (${column} IS NULL OR ${column} <= ${dialect.clock.now})`;
  }
  const name = q(plan.table.name);
  const id = q(plan.table.primaryKey.column);
  const lock = dialect.skipLocked ? ' FOR UPDATE SKIP LOCKED' : '';
  const pick = `SELECT ${id} FROM ${name}${where}${orderText(plan.orderBy, dialect)} LIMIT ${ph.take()}${lock}`;
  const sets = setColumns.map((c) => dialect.encode(c, set.get(c)));
  return {
    text: `UPDATE ${name} SET ${assignments.join(', ')} WHERE ${id} IN (${pick}) RETURNING ${sql.columnList}`,
    values: [...sets, ...extras, ...planParams(plan, dialect)],
    redacted: () => [
      ...sql.redact(setColumns, sets, REDACTED),
      ...extras,
      ...redactedPlanParams(plan, dialect, REDACTED),
    ],
  };
}
