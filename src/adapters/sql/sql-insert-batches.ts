import type { IBaseEntity } from '../../schema/table-definition';
import { REDACTED } from '../query-observer';
import { quoteIdentifier as q } from './sql-dialect';
import type { TableSql } from './sql-compiler';
import type { SqlStatement } from './sql-driver';

/**
 * The most rows one INSERT carries. Past about a thousand rows a bigger statement saves nothing
 * measurable (the per-row work dominates) while its text, bound values and plan keep growing.
 */
export const MAX_ROWS_PER_INSERT = 1024;

/**
 * How many rows each INSERT of a `rowCount`-row batch carries: full statements of the largest
 * power of 2 that fits both {@link MAX_ROWS_PER_INSERT} and the engine's parameter limit, then the
 * rest as powers of 2 (37 → 32 + 4 + 1). So a table never has more than a dozen insert texts,
 * each prepared once, whatever the batch sizes callers use.
 */
export function insertChunkSizes(
  rowCount: number,
  columnCount: number,
  maxParameters: number,
): number[] {
  const fit = Math.min(MAX_ROWS_PER_INSERT, Math.floor(maxParameters / columnCount));
  const full = 2 ** Math.floor(Math.log2(Math.max(1, fit)));
  const sizes: number[] = [];
  let left = rowCount;
  for (; left >= full; left -= full) sizes.push(full);
  for (let size = full >> 1; size >= 1; size >>= 1) {
    if (left >= size) {
      sizes.push(size);
      left -= size;
    }
  }
  return sizes;
}

/** INSERT texts by row count, per table and dialect (a TableSql is both). */
const insertTexts = new WeakMap<TableSql<any>, Map<number, string>>();

function insertText(sql: TableSql<any>, rows: number): string {
  let texts = insertTexts.get(sql);
  if (!texts) insertTexts.set(sql, (texts = new Map()));
  let text = texts.get(rows);
  if (text === undefined) {
    const width = sql.table.columns.length;
    const tuples: string[] = [];
    for (let row = 0; row < rows; row++) {
      const first = row * width + 1;
      const slots = Array.from({ length: width }, (_, i) => sql.dialect.placeholder(first + i));
      tuples.push(`(${slots.join(', ')})`);
    }
    text = `INSERT INTO ${q(sql.table.name)} (${sql.columnList}) VALUES ${tuples.join(', ')}`;
    texts.set(rows, text);
  }
  return text;
}

/**
 * The multi-row INSERT statements that store rows (normalized create rows, values in
 * `table.columns` order, not yet encoded) in their order, each within the engine's parameter limit.
 * Made one at a time as they are taken, each row encoded into its statement's values then, so only
 * one statement's values exist at once. Run them in one transaction: together they are one
 * createMany.
 */
export function insertBatches<T extends IBaseEntity>(
  sql: TableSql<T>,
  rows: readonly (readonly unknown[])[],
): Iterable<SqlStatement> {
  // Iterable again from the start (a retried step would take them again), never all at once.
  return { [Symbol.iterator]: () => makeBatches(sql, rows) };
}

function* makeBatches<T extends IBaseEntity>(
  sql: TableSql<T>,
  rows: readonly (readonly unknown[])[],
): Generator<SqlStatement> {
  const { columns } = sql.table;
  const { dialect } = sql;
  const width = columns.length;
  let next = 0;
  for (const size of insertChunkSizes(rows.length, width, dialect.maxParameters)) {
    const values: unknown[] = [];
    for (let row = next; row < next + size; row++) {
      const written = rows[row];
      for (let c = 0; c < width; c++) values.push(dialect.encode(columns[c], written[c]));
    }
    next += size;
    yield {
      text: insertText(sql, size),
      values,
      fixed: true,
      redacted: () => values.map((v, i) => (columns[i % width].sensitive ? REDACTED : v)),
    };
  }
}
