/**
 * Timestamps in a PostgreSQL table the library's migrations do not manage: an application's own
 * table (or a Supabase project whose tables predate migration 0009) whose timestamptz columns keep
 * microseconds and accept infinity. The library returns milliseconds, so it compares at
 * millisecond granularity; values it cannot return are a typed error.
 */
import type { IOrderByOptions } from '../../src/adapters/database-adapter.interface';
import { PostgresAdapter } from '../../src/adapters/postgres';
import { QueryException } from '../../src/exceptions';
import { defineTable, type IBaseEntity } from '../../src/schema/table-definition';
import { walkCursor } from '../support/cursor-walk';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

interface IReading extends IBaseEntity {
  label: string;
  takenAt: string;
  endsAt?: string | null;
}

const readingsTable = defineTable<IReading>({
  name: 'readings',
  columns: {
    label: { type: 'string' },
    takenAt: { type: 'timestamp' },
    endsAt: { type: 'timestamp', nullable: true },
  },
  softDelete: false,
});

// Plain timestamptz: microseconds, infinity, years past 9999.
const CREATE_READINGS = `
  CREATE TABLE readings (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    label text COLLATE "C" NOT NULL,
    taken_at timestamptz NOT NULL,
    ends_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX readings_taken_at_id_idx ON readings (taken_at, id);`;

describeWithPostgres('Postgres timestamps in a table that keeps microseconds', () => {
  let database: TestDatabase;
  let adapter: PostgresAdapter;
  let batch = 0;

  beforeAll(async () => {
    database = await createTestDatabase('timestamps');
    adapter = await PostgresAdapter.open({ connectionString: database.url });
    await adapter.pool.query(CREATE_READINGS);
  });

  afterAll(async () => {
    await adapter?.close();
    await database?.drop();
  });

  /** Inserts one reading per taken_at literal, in a batch of its own; returns the batch label. */
  async function insertReadings(takenAt: readonly string[]): Promise<string> {
    const label = `batch-${++batch}`;
    for (const value of takenAt) {
      await adapter.pool.query('INSERT INTO readings (label, taken_at) VALUES ($1, $2)', [
        label,
        value,
      ]);
    }
    return label;
  }

  async function labels(label: string, takenAt: unknown): Promise<string[]> {
    const rows = await adapter.findMany(
      { filters: { label, takenAt } as never, orderBy: { field: 'takenAt' } },
      readingsTable,
    );
    return rows.map((r) => r.takenAt);
  }

  async function walk(label: string, orderBy: IOrderByOptions[], limit: number) {
    const walked = await walkCursor(
      (pagination) => adapter.findPage({ filters: { label }, orderBy, pagination }, readingsTable),
      limit,
    );
    return walked.rows;
  }

  it('returns microsecond values cut to milliseconds, and compares them at that granularity', async () => {
    const label = await insertReadings([
      '2024-05-01 12:00:00.122999+00',
      '2024-05-01 12:00:00.123100+00',
      '2024-05-01 14:00:00.123900+02',
      '2024-05-01 12:00:00.124000+00',
    ]);
    const all = await labels(label, undefined);
    expect(all).toEqual([
      '2024-05-01T12:00:00.122Z',
      '2024-05-01T12:00:00.123Z',
      '2024-05-01T12:00:00.123Z',
      '2024-05-01T12:00:00.124Z',
    ]);
    const shown = '2024-05-01T12:00:00.123Z';
    expect(await labels(label, shown)).toEqual([shown, shown]);
    expect(await labels(label, { eq: shown })).toEqual([shown, shown]);
    expect(await labels(label, { neq: shown })).toEqual([all[0], all[3]]);
    expect(await labels(label, { gt: shown })).toEqual([all[3]]);
    expect(await labels(label, { gte: shown })).toEqual(all.slice(1));
    expect(await labels(label, { lt: shown })).toEqual([all[0]]);
    expect(await labels(label, { lte: shown })).toEqual(all.slice(0, 3));
    expect(await labels(label, { in: [shown, all[0]] })).toEqual(all.slice(0, 3));
    expect(await labels(label, { in: [all[3]] })).toEqual([all[3]]);
    expect(await adapter.count({ label, takenAt: shown }, readingsTable)).toBe(2);
  });

  it('walks rows sharing one microsecond value exactly once with cursors, in order', async () => {
    const label = await insertReadings(Array(7).fill('2024-05-01 12:00:00.123456+00'));
    const rows = await adapter.findMany({ filters: { label } }, readingsTable);
    const byId = rows.map((r) => r.id).sort();
    for (const direction of ['asc', 'desc'] as const) {
      for (const limit of [1, 3]) {
        const walked = await walk(label, [{ field: 'takenAt', direction }], limit);
        expect(walked.map((r) => r.id)).toEqual(direction === 'asc' ? byId : [...byId].reverse());
      }
    }
  });

  it('ends a cursor walk over distinct microsecond values within one millisecond', async () => {
    const label = await insertReadings(
      Array.from({ length: 6 }, (_, i) => `2024-05-01 12:00:00.12300${i + 1}+00`),
    );
    for (const direction of ['asc', 'desc'] as const) {
      for (const limit of [1, 2]) {
        const walked = await walk(label, [{ field: 'takenAt', direction }], limit);
        expect(walked.length).toBeGreaterThan(0);
        for (const row of walked) expect(row.takenAt).toBe('2024-05-01T12:00:00.123Z');
      }
    }
  });

  it.each([
    ['infinity', 'infinity'],
    ['-infinity', '-infinity'],
    ['a year past 9999', '10000-01-01 00:00:00+00'],
    ['a date before year 1', '0001-12-31 23:59:59+00 BC'],
  ])('reading %s is a QueryException naming the column, not a RangeError', async (_l, value) => {
    const label = await insertReadings(['2024-05-01 12:00:00+00', '2024-05-01 13:00:00+00']);
    await adapter.pool.query(
      `UPDATE readings SET ends_at = $1
        WHERE id = (SELECT id FROM readings WHERE label = $2 ORDER BY taken_at LIMIT 1)`,
      [value, label],
    );
    const error = await adapter.findMany({ filters: { label } }, readingsTable).catch((e) => e);
    expect(error).toBeInstanceOf(QueryException);
    expect(error.message).toContain('readings.ends_at');
    expect(error.details).toMatchObject({ table: 'readings', field: 'endsAt' });
    // Rows without such a value stay readable.
    const fine = await adapter.findMany(
      { filters: { label, endsAt: { isNull: true } } },
      readingsTable,
    );
    expect(fine.map((r) => r.takenAt)).toEqual(['2024-05-01T13:00:00.000Z']);
  });
});
