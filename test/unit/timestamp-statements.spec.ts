/**
 * The SQL a timestamp comparison compiles to. A column whose stored instants are whole
 * milliseconds (`timestampPrecision: 'ms'`, as the library's four tables declare after migrations
 * sqlite/0007 and postgres/0009) is compared as stored: plain `=`, `= ANY`, row-value cursors,
 * all served by a (created_at, id) index. A column of unknown precision (an application's own
 * table that may keep microseconds) is compared on PostgreSQL as the millisecond the library
 * returns: bucket bounds, a date_trunc IN, the key-by-key cursor test.
 */
import type { FindOptions } from '../../src/adapters/database-adapter.interface';
import { postgresDialect } from '../../src/adapters/postgres/postgres.dialect';
import { sqliteDialect } from '../../src/adapters/sqlite/sqlite.dialect';
import { planParams, selectText } from '../../src/adapters/sql/sql-compiler';
import { encodeCursor } from '../../src/query/cursor';
import { DEFAULT_QUERY_LIMITS, planFind } from '../../src/query/plan-query';
import {
  defineTable,
  paymentsTable,
  subscriptionsTable,
  usersTable,
  webhookEventsTable,
  type IBaseEntity,
  type TableDefinition,
} from '../../src/schema';

interface IReading extends IBaseEntity {
  takenAt: string;
}

/** An application's own table, declared without a precision: it may keep microseconds. */
const readingsTable = defineTable<IReading>({
  name: 'readings',
  columns: { takenAt: { type: 'timestamp' } },
  softDelete: false,
});

const AT = '2024-05-01T12:00:00.123Z';
const NEXT = '2024-05-01T12:00:00.124Z';
const LATER = '2024-05-01T12:00:05.000Z';
const ID = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';

/** An order on createdAt then id, and a cursor after (AT, ID) for it. */
function after(createdAt: 'asc' | 'desc', id: 'asc' | 'desc'): FindOptions {
  return {
    orderBy: [
      { field: 'createdAt', direction: createdAt },
      { field: 'id', direction: id },
    ],
    pagination: { after: encodeCursor(`createdAt:${createdAt},id:${id}`, [AT, ID]), limit: 5 },
  };
}

/** The WHERE clause and parameters of a read, on PostgreSQL, without the soft-delete test. */
function compiled(table: TableDefinition<any>, options: FindOptions) {
  const plan = planFind(table, options, DEFAULT_QUERY_LIMITS, { lookAhead: true });
  const text = selectText(plan, postgresDialect);
  const where = /WHERE (.*?)(?: ORDER BY|$)/
    .exec(text)![1]
    .replace('"deleted_at" IS NULL AND ', '');
  const paging = [plan.limit, plan.offset].filter((v) => v !== undefined).length;
  const params = planParams(plan, postgresDialect);
  return { where, params: params.slice(0, params.length - paging) };
}

describe('timestamp statements', () => {
  it('declares every timestamp column of the library’s tables millisecond-exact', () => {
    for (const table of [usersTable, paymentsTable, subscriptionsTable, webhookEventsTable]) {
      const timestamps = table.columns.filter((c) => c.type === 'timestamp');
      expect(timestamps.length).toBeGreaterThanOrEqual(3);
      for (const column of timestamps)
        expect([table.name, column.precision]).toEqual([table.name, 'ms']);
    }
  });

  it('compares a library table’s createdAt as stored: equality, IN and cursors', () => {
    expect(compiled(usersTable, { filters: { createdAt: AT } })).toEqual({
      where: '"created_at" = $1',
      params: [AT],
    });
    expect(compiled(usersTable, { filters: { createdAt: { in: [LATER, AT] } } })).toEqual({
      where: '"created_at" = ANY($1::timestamptz[])',
      params: [[LATER, AT]],
    });
    expect(compiled(usersTable, { filters: { createdAfter: AT } })).toEqual({
      where: '"created_at" > $1',
      params: [AT],
    });
    expect(compiled(usersTable, after('asc', 'asc'))).toEqual({
      where: '("created_at", "id") > ($1, $2)',
      params: [AT, ID],
    });
    expect(compiled(usersTable, after('desc', 'desc'))).toEqual({
      where: '("created_at", "id") < ($1, $2)',
      params: [AT, ID],
    });
    // Mixed directions have no row-value form; each key is still compared as stored.
    expect(compiled(usersTable, after('desc', 'asc'))).toEqual({
      where: '("created_at" < $1 OR ("created_at" = $2 AND "id" > $3))',
      params: [AT, AT, ID],
    });
  });

  it('buckets a timestamp of unknown precision on PostgreSQL', () => {
    const filter = (takenAt: unknown) => compiled(readingsTable, { filters: { takenAt } as never });
    expect(filter(AT)).toEqual({
      where: '("taken_at" >= $1 AND "taken_at" < $2)',
      params: [AT, NEXT],
    });
    expect(filter({ in: [LATER, AT] })).toEqual({
      where:
        '("taken_at" >= $1 AND "taken_at" < $2 AND ' +
        `date_trunc('milliseconds', "taken_at") = ANY($3::timestamptz[]))`,
      params: [AT, '2024-05-01T12:00:05.001Z', [LATER, AT]],
    });
    // createdAt of an application's table is of unknown precision too.
    expect(compiled(readingsTable, after('desc', 'desc'))).toEqual({
      where:
        '("created_at", "id") < ($1, $2) AND ' +
        '("created_at" < $3 OR ("created_at" >= $4 AND "created_at" < $5 AND "id" < $6))',
      params: [NEXT, ID, AT, AT, NEXT, ID],
    });
  });

  it('never buckets on SQLite, whose timestamps are the library’s own text', () => {
    const plan = planFind(readingsTable, { filters: { takenAt: AT } }, DEFAULT_QUERY_LIMITS);
    expect(selectText(plan, sqliteDialect)).toContain('WHERE "taken_at" = ?');
  });
});
