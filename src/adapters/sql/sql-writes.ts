import { RecordNotFoundException } from '../../exceptions';
import {
  normalizeCreate,
  normalizeUpdate,
  nowTimestamp,
  type WriteValues,
} from '../../query/normalize-write';
import {
  checkId,
  checkUpsertOptions,
  incrementBounds,
  incrementColumn,
  incrementOutOfRange,
  requireSoftDelete,
  upsertRaceLost,
  upsertUpdateColumns,
  UPSERT_ATTEMPTS,
} from '../../query/operation-input';
import type {
  ColumnDefinition,
  CreateInput,
  IBaseEntity,
  TableDefinition,
  UpdateInput,
} from '../../schema/table-definition';
import {
  checkExpectedVersion,
  orderedColumn,
  versionMissVerdict,
  versionRaceLost,
  VERSION_ATTEMPTS,
} from '../../query/concurrency-input';
import type { UpdateOptions, UpsertOptions, UpsertResult } from '../database-adapter.interface';
import { REDACTED } from '../query-observer';
import { normalizeCreateRow, normalizeCreateRows } from '../../query/normalize-row';
import { tableSql, type TableSql } from './sql-compiler';
import type { SqlStatement } from './sql-driver';
import { andThen, settle } from './now-or-later';
import { insertBatches } from './sql-insert-batches';
import type { SqlEngine } from './sql-engine';

/**
 * The write operations of the contract, written once for every SQL engine. Ids and values are
 * checked and normalized before any statement is sent; a missing row is a
 * RecordNotFoundException on every engine.
 */

export async function create<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  data: CreateInput<T>,
  table: TableDefinition<T>,
): Promise<T> {
  const sql = tableSql(table, engine.dialect);
  const row = normalizeCreateRow(table, data, nowTimestamp());
  await engine.run('create', table, insertStatement(sql, sql.encodeRow(row)));
  return sql.entityOfWritten(row);
}

export async function createMany<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  data: readonly CreateInput<T>[],
  table: TableDefinition<T>,
): Promise<T[]> {
  const sql = tableSql(table, engine.dialect);
  // Every row is checked before the first insert, so bad input never opens a transaction. A row
  // is one array of normalized values, encoded only as its statement is made: 100k rows stay in
  // bounds.
  const rows = normalizeCreateRows(table, data, (row) => row);
  if (rows.length === 0) return [];
  // Multi-row INSERTs within the engine's parameter limit, one transaction for all of them.
  await engine.runAll('createMany', table, insertBatches(sql, rows));
  return rows.map(sql.entityOfWritten);
}

export async function upsert<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  data: CreateInput<T>,
  table: TableDefinition<T>,
  options: UpsertOptions<T>,
): Promise<UpsertResult<T>> {
  const conflict = checkUpsertOptions(table, options);
  const sql = tableSql(table, engine.dialect);
  const values = normalizeCreate(table, data, nowTimestamp());
  const ordered = orderedColumn(table, options, conflict, values);
  const updateColumns =
    options.onConflict === 'update' ? upsertUpdateColumns(table, data, conflict) : null;
  const params = sql.insertParams(values);
  const statement = {
    ...insertStatement(sql, params),
    text: sql.upsert(conflict, updateColumns, ordered),
    single: true,
  };
  const lookup = {
    text: sql.findLiveBy(conflict),
    values: [engine.dialect.encode(conflict, values.get(conflict))],
    fixed: true,
    single: true,
  };
  // DO NOTHING (or an ordered update older than the stored row) returns no row, and the live row
  // is then read; should it be deleted in between, the insert is tried again.
  for (let attempt = 0; attempt < UPSERT_ATTEMPTS; attempt++) {
    const inserted = await engine.run('upsert', table, statement);
    if (inserted.rows.length > 0) {
      const record = sql.mapRow(inserted.rows[0]);
      return { record, created: record.id === values.get(table.primaryKey), applied: true };
    }
    const existing = await engine.run('upsert', table, lookup);
    if (existing.rows.length > 0) {
      return { record: sql.mapRow(existing.rows[0]), created: false, applied: false };
    }
  }
  throw upsertRaceLost(table);
}

/**
 * Not `async`: on a synchronous driver the usual case (the row is there) settles in one promise,
 * as reads do (now-or-later.ts); a missing row or a version check takes {@link updateMissed}.
 */
export function update<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  id: string,
  data: UpdateInput<T>,
  table: TableDefinition<T>,
  options?: UpdateOptions,
): Promise<T> {
  return settle(() => {
    const key = checkId(table, id);
    const expected = checkExpectedVersion(table, options);
    const values = normalizeUpdate(table, data, nowTimestamp());
    const sql = tableSql(table, engine.dialect);
    const { columns, params } = setParams(engine, values);
    params.push(key);
    if (expected !== undefined) params.push(expected);
    const statement = {
      text: sql.update(columns, expected !== undefined),
      values: params,
      fixed: true,
      single: true,
      redacted: () => sql.redact(columns, params, REDACTED),
    };
    return andThen(engine.runNow('update', table, statement), ({ rows }) =>
      rows.length > 0 ? sql.mapRow(rows[0]) : updateMissed(engine, sql, statement, key, expected),
    );
  });
}

/**
 * The update changed no row: RecordNotFoundException without an expected version; with one, the
 * live row's version tells a mismatch from a missing row, and a race is run again a few times.
 */
async function updateMissed<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  sql: TableSql<T>,
  statement: SqlStatement,
  key: string,
  expected: number | undefined,
): Promise<T> {
  const { table } = sql;
  if (expected === undefined) throw new RecordNotFoundException(table.name, key);
  // Versions only grow, so the row as read now tells a version mismatch from a missing row.
  const checkLiveVersion = async (): Promise<void> => {
    const live = await engine.run('update', table, {
      text: sql.liveVersion,
      values: [key],
      fixed: true,
      single: true,
    });
    const current = live.rows.length > 0 ? Number(live.rows[0][0]) : undefined;
    const verdict = versionMissVerdict(table, key, expected, current);
    if (verdict) throw verdict;
  };
  for (let attempt = 1; attempt < VERSION_ATTEMPTS; attempt++) {
    await checkLiveVersion();
    const { rows } = await engine.run('update', table, statement);
    if (rows.length > 0) return sql.mapRow(rows[0]);
  }
  await checkLiveVersion();
  throw versionRaceLost(table, key);
}

export async function increment<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  id: string,
  field: keyof T & string,
  by: number,
  table: TableDefinition<T>,
  data: UpdateInput<T> = {},
): Promise<T> {
  const key = checkId(table, id);
  const counter = incrementColumn(table, field, by);
  const values = normalizeUpdate(table, data, nowTimestamp());
  values.delete(counter);
  const sql = tableSql(table, engine.dialect);
  const columns = [...values.keys()];
  const sets = columns.map((c) => engine.dialect.encode(c, values.get(c)));
  const bounds = incrementBounds(counter, by);
  const { rows } = await engine.run('increment', table, {
    text: sql.increment(counter, columns),
    values: [by, ...sets, key, ...bounds],
    fixed: true,
    single: true,
    redacted: () => [by, ...sql.redact(columns, sets, REDACTED), key, ...bounds],
  });
  if (rows.length > 0) return sql.mapRow(rows[0]);
  const live = await engine.run('increment', table, {
    text: sql.exists,
    values: [key],
    fixed: true,
    single: true,
  });
  if (live.rows.length > 0) throw incrementOutOfRange(table, counter);
  throw new RecordNotFoundException(table.name, key);
}

export async function softDelete<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  id: string,
  table: TableDefinition<T>,
): Promise<void> {
  const key = checkId(table, id);
  requireSoftDelete(table);
  const now = nowTimestamp();
  const sql = tableSql(table, engine.dialect);
  const statement = { text: sql.softDelete, values: [now, now, key], fixed: true };
  const { changes } = await engine.run('softDelete', table, statement);
  if (changes === 0) throw new RecordNotFoundException(table.name, key);
}

export async function restore<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  id: string,
  table: TableDefinition<T>,
): Promise<T> {
  const key = checkId(table, id);
  requireSoftDelete(table);
  const sql = tableSql(table, engine.dialect);
  const statement = { text: sql.restore, values: [nowTimestamp(), key], fixed: true, single: true };
  const { rows } = await engine.run('restore', table, statement);
  if (rows.length === 0) throw new RecordNotFoundException(table.name, key);
  return sql.mapRow(rows[0]);
}

export async function hardDelete<T extends IBaseEntity>(
  engine: SqlEngine<unknown>,
  id: string,
  table: TableDefinition<T>,
): Promise<void> {
  const key = checkId(table, id);
  const sql = tableSql(table, engine.dialect);
  const statement = { text: sql.hardDelete, values: [key], fixed: true };
  const { changes } = await engine.run('hardDelete', table, statement);
  if (changes === 0) throw new RecordNotFoundException(table.name, key);
}

/** The columns an update sets, in order, and their encoded values (the statement's first params). */
function setParams(
  engine: SqlEngine<unknown>,
  values: WriteValues,
): { columns: ColumnDefinition[]; params: unknown[] } {
  const { dialect } = engine;
  const columns: ColumnDefinition[] = [];
  const params: unknown[] = [];
  for (const [column, value] of values) {
    columns.push(column);
    params.push(dialect.encode(column, value));
  }
  return { columns, params };
}

function insertStatement<T extends IBaseEntity>(sql: TableSql<T>, params: unknown[]): SqlStatement {
  return {
    text: sql.insert,
    values: params,
    fixed: true,
    redacted: () => sql.redact(sql.table.columns, params, REDACTED),
  };
}
