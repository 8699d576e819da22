import { checkUpsertMany } from '../../query/bulk-input';
import { orderedColumn } from '../../query/concurrency-input';
import type { WriteValues } from '../../query/normalize-write';
import type { PlanValue } from '../../query/query-plan';
import { upsertRaceLost, upsertUpdateColumns } from '../../query/operation-input';
import type {
  ColumnDefinition,
  CreateInput,
  IBaseEntity,
  TableDefinition,
} from '../../schema/table-definition';
import type { UpsertOptions, UpsertResult } from '../database-adapter.interface';
import { REDACTED } from '../query-observer';
import type { TableSql } from './sql-compiler';
import { tableSql } from './sql-compiler';
import { quoteIdentifier as q } from './sql-dialect';
import type { SqlEngine } from './sql-engine';

/**
 * The most parameters one statement binds: under SQLite's 32766 and PostgreSQL's 65535, so a
 * chunk of rows always fits, whatever the table's width.
 */
const MAX_PARAMS = 30_000;

/**
 * `upsertMany` on every SQL engine, atomic: the rows go in multi-row `INSERT … ON CONFLICT (key)
 * WHERE deleted_at IS NULL DO UPDATE | DO NOTHING … RETURNING` statements (the same conflict target
 * and action as a single upsert, so the partial unique index is respected), chunked within the
 * parameter limit, all in one transaction (a savepoint inside the caller's). Rows are grouped by
 * which properties they give, since an update writes only those. Rows the statement did not
 * return (kept: `ignore`, or an older `orderedBy`) are read back, live, by key in the same
 * transaction.
 */
export async function upsertMany<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  data: readonly CreateInput<T>[],
  table: TableDefinition<T>,
  options: UpsertOptions<T>,
): Promise<UpsertResult<T>[]> {
  const { conflict, rows } = checkUpsertMany(table, data, options);
  if (rows.length === 0) return [];
  const sql = tableSql(table, engine.dialect);
  for (const values of rows) orderedColumn(table, options, conflict, values);
  const groups = groupRows(table, data, rows, conflict, options.onConflict === 'update');
  const ordered = orderedColumn(table, options, conflict, rows[0]);
  return engine.transactions.run(async () => {
    const results: (UpsertResult<T> | undefined)[] = new Array(rows.length);
    for (const { update, indexes } of groups) {
      const tail = sql.upsert(conflict, update, ordered).slice(sql.insert.length);
      const perChunk = Math.max(1, Math.floor(MAX_PARAMS / table.columns.length));
      for (let start = 0; start < indexes.length; start += perChunk) {
        const chunk = indexes.slice(start, start + perChunk);
        const written = await insertChunk(engine, sql, conflict, chunk, rows, tail);
        for (const index of chunk) {
          const values = rows[index];
          const byId = written.get(`id:${values.get(table.primaryKey) as string}`);
          const found = byId ?? written.get(`key:${String(values.get(conflict))}`);
          if (found) results[index] = { record: found, created: byId !== undefined, applied: true };
        }
      }
    }
    const kept = rows.flatMap((values, index) => (results[index] ? [] : [{ values, index }]));
    const stored = await liveByKeys(
      engine,
      sql,
      conflict,
      kept.map(({ values }) => values.get(conflict)),
    );
    for (const { values, index } of kept) {
      const record = stored.get(String(values.get(conflict)));
      // The row was there when the statement ran; gone now, only a concurrent delete took it.
      if (!record) throw upsertRaceLost(table);
      results[index] = { record, created: false, applied: false };
    }
    return results as UpsertResult<T>[];
  });
}

/** A group of rows one statement can write: the same columns updated on a conflict. */
interface RowGroup {
  /** The columns an update writes; null for DO NOTHING. */
  update: ColumnDefinition[] | null;
  /** Input positions of the rows, in key order. */
  indexes: number[];
}

/**
 * The rows grouped by the columns their update writes (a multi-row DO UPDATE writes the same
 * columns for every row, and an upsert writes only the properties given). Rows go in key order,
 * so two calls sharing keys take their row locks in the same order and do not deadlock each other
 * on PostgreSQL.
 */
function groupRows(
  table: TableDefinition<any>,
  data: readonly object[],
  rows: readonly WriteValues[],
  conflict: ColumnDefinition,
  update: boolean,
): RowGroup[] {
  const keyOf = (index: number) => String(rows[index].get(conflict) ?? '');
  const order = rows.map((_, index) => index).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : 1));
  const groups = new Map<string, RowGroup>();
  for (const index of order) {
    const columns = update ? upsertUpdateColumns(table, data[index], conflict) : null;
    const shape = columns?.map((c) => c.column).join(',') ?? '-';
    let group = groups.get(shape);
    if (!group) groups.set(shape, (group = { update: columns, indexes: [] }));
    group.indexes.push(index);
  }
  return [...groups.values()];
}

/** The live rows whose `conflict` value is one of `keys`, by that value. */
async function liveByKeys<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  sql: TableSql<T>,
  conflict: ColumnDefinition,
  keys: readonly unknown[],
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  const { dialect, table } = sql;
  const live = table.softDelete ? ` AND ${q('deleted_at')} IS NULL` : '';
  const test = dialect.inList(conflict, q(conflict.column), dialect.placeholder(1));
  const text = `SELECT ${sql.columnList} FROM ${q(table.name)} WHERE ${test}${live}`;
  const step = engine.limits.maxInListSize;
  for (let start = 0; start < keys.length; start += step) {
    const values = keys.slice(start, start + step) as PlanValue[];
    const { rows } = await engine.run('upsertMany', table, {
      text,
      values: [dialect.inListParam(conflict, values)],
    });
    for (const row of rows) {
      const entity = sql.mapRow(row);
      found.set(String((entity as Record<string, unknown>)[conflict.property]), entity);
    }
  }
  return found;
}

/** Runs one chunk's statement; the rows written, keyed by `id:<id>` and `key:<conflict value>`. */
async function insertChunk<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  sql: TableSql<T>,
  conflict: ColumnDefinition,
  chunk: readonly number[],
  rows: readonly WriteValues[],
  tail: string,
): Promise<Map<string, T>> {
  const { table, dialect } = sql;
  const width = table.columns.length;
  const tuples = chunk.map(
    (_, r) =>
      `(${table.columns.map((_c, c) => dialect.placeholder(r * width + c + 1)).join(', ')})`,
  );
  const columnList = table.columns.map((c) => q(c.column)).join(', ');
  const params = chunk.flatMap((index) => sql.insertParams(rows[index]));
  const { rows: returned } = await engine.run('upsertMany', table, {
    text: `INSERT INTO ${q(table.name)} (${columnList}) VALUES ${tuples.join(', ')}${tail}`,
    values: params,
    redacted: () =>
      params.map((value, i) => (table.columns[i % width].sensitive ? REDACTED : value)),
  });
  const written = new Map<string, T>();
  for (const row of returned) {
    const entity = sql.mapRow(row);
    written.set(`id:${entity.id}`, entity);
    const key = (entity as Record<string, unknown>)[conflict.property];
    if (key !== null && key !== undefined) written.set(`key:${String(key)}`, entity);
  }
  return written;
}
