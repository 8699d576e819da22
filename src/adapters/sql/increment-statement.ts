import type { ColumnDefinition, IBaseEntity } from '../../schema/table-definition';
import { quoteIdentifier as q } from './sql-dialect';
import type { TableSql } from './sql-compiler';

/**
 * `UPDATE … SET counter = counter + $1, <set columns> WHERE id = $n` on a live row, RETURNING the
 * row: one statement, so concurrent increments never lose one. Params: the step, the set
 * columns' values in order, then the id.
 */
export function incrementText<T extends IBaseEntity>(
  sql: TableSql<T>,
  counter: ColumnDefinition,
  setColumns: readonly ColumnDefinition[],
): string {
  const p = (i: number) => sql.dialect.placeholder(i);
  const sets = [
    `${q(counter.column)} = ${q(counter.column)} + ${p(1)}`,
    ...setColumns.map((c, i) => `${q(c.column)} = ${p(i + 2)}`),
  ].join(', ');
  const live = sql.table.softDelete ? ` AND ${q('deleted_at')} IS NULL` : '';
  return `UPDATE ${q(sql.table.name)} SET ${sets} WHERE ${q(sql.table.primaryKey.column)} = ${p(setColumns.length + 2)}${live} RETURNING ${sql.columnList}`;
}
