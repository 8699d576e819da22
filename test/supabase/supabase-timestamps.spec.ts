/**
 * Timestamps on the Supabase row path. PostgREST prints timestamptz as PostgreSQL's ISO output
 * (`2024-05-01T12:00:00.123456+00:00`: the server's offset, trailing zeros dropped, microseconds
 * where the column keeps them, `infinity`, ` BC`). Rows become the library's one form without
 * moving the instant; and since a project whose tables predate migration 0009 keeps microseconds,
 * filters and cursors compare a stored instant as the millisecond the library returned for it.
 */
import fc from 'fast-check';
import type { ICursorPaginatedResult } from '../../src/adapters/database-adapter.interface';
import type { IUserEntity } from '../../src/entities/user.entity';
import { QueryException } from '../../src/exceptions';
import { usersTable } from '../../src/schema';
import { walkCursor } from '../support/cursor-walk';
import { fakeAdapter, NOTE_ID, noteRow, notesTable, ok } from './support/fake-postgrest';
import { microseconds, PostgrestEvaluator } from './support/postgrest-evaluator';

/** A notes row whose every timestamp is `createdAt` (PostgREST form) and whose id is `id`. */
function row(id: string, createdAt: string, remindAt: string | null = null) {
  return noteRow({
    id,
    slug: `s-${id}`,
    created_at: createdAt,
    updated_at: createdAt,
    remind_at: remindAt,
  });
}

/** A users row (PostgREST's form) whose createdAt and updatedAt are `createdAt`. */
function userRow(id: string, createdAt: string) {
  return {
    id,
    email: `${id}@example.test`,
    first_name: 'Ada',
    last_name: 'Lovelace',
    password_hash: null,
    role: 'user',
    status: 'active',
    email_verified: true,
    phone: null,
    avatar_url: null,
    stripe_customer_id: null,
    last_login: null,
    created_at: createdAt,
    updated_at: createdAt,
    deleted_at: null,
  };
}

/** The id of the n-th row: distinct, and in id order as n grows. */
function idOf(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** An adapter whose fake answers every read by evaluating it over `rows`. */
function evaluatingAdapter(rows: ReturnType<typeof row>[]) {
  const { adapter, fake } = fakeAdapter();
  const evaluator = new PostgrestEvaluator(notesTable, rows);
  const answer = () => fake.reply((request) => ok(evaluator.answer(request)));
  return { adapter, fake, answer };
}

/** The value the library shows for a stored instant: its millisecond, cut. */
function shown(stored: string): string {
  return new Date(Math.floor(microseconds(stored) / 1000)).toISOString();
}

describe('Supabase timestamps', () => {
  it.each([
    ['microseconds', '2024-05-01T12:00:00.123456+00:00', '2024-05-01T12:00:00.123Z'],
    [
      'microseconds just below a millisecond',
      '2024-05-01T12:00:00.999999+00:00',
      '2024-05-01T12:00:00.999Z',
    ],
    ['an offset and microseconds', '2024-05-01T14:00:00.987654+02:00', '2024-05-01T12:00:00.987Z'],
    ['a negative half-hour offset', '2024-04-30T21:30:00.5-02:30', '2024-05-01T00:00:00.500Z'],
    [
      'an offset with seconds (a historical zone)',
      '1890-01-01T00:19:32+00:19:32',
      '1890-01-01T00:00:00.000Z',
    ],
    ['microseconds before 1970', '1969-12-31T23:59:59.999999+00:00', '1969-12-31T23:59:59.999Z'],
    ['the first instant of year 1', '0001-01-01T00:00:00+00:00', '0001-01-01T00:00:00.000Z'],
  ])('a row with %s keeps its instant, in the library form', async (_label, stored, expected) => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([noteRow({ remind_at: stored, created_at: stored })]));
    const note = await adapter.findById(NOTE_ID, notesTable);
    expect(note?.remindAt).toBe(expected);
    expect(note?.createdAt).toBe(expected);
  });

  it.each([
    ['infinity', 'infinity'],
    ['-infinity', '-infinity'],
    ['a BC date', '0001-12-31T23:59:59+00:00 BC'],
    ['a year past 9999', '10000-01-01T00:00:00+00:00'],
    ['text of no timestamp form', 'yesterday'],
  ])(
    'a row with %s is a QueryException naming the column, not a RangeError',
    async (_l, stored) => {
      const { adapter, fake } = fakeAdapter();
      fake.reply(ok([noteRow({ remind_at: stored })]), ok([noteRow({ remind_at: stored })]));
      for (const read of [
        () => adapter.findById(NOTE_ID, notesTable),
        () => adapter.findMany({}, notesTable),
      ]) {
        const error = await read().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(QueryException);
        expect((error as QueryException).message).toContain('notes.remind_at');
        expect((error as QueryException).details).toMatchObject({
          table: 'notes',
          field: 'remindAt',
        });
      }
    },
  );

  it.each([
    [
      'eq',
      { eq: 'X' },
      [
        ['remind_at', 'gte.X'],
        ['remind_at', 'lt.X+1'],
      ],
    ],
    ['neq', { neq: 'X' }, [['or', '(remind_at.lt."X",remind_at.gte."X+1")']]],
    ['gt', { gt: 'X' }, [['remind_at', 'gte.X+1']]],
    ['gte', { gte: 'X' }, [['remind_at', 'gte.X']]],
    ['lt', { lt: 'X' }, [['remind_at', 'lt.X']]],
    ['lte', { lte: 'X' }, [['remind_at', 'lt.X+1']]],
    ['in', { in: ['X'] }, [['or', '(and(remind_at.gte."X",remind_at.lt."X+1"))']]],
  ])('%s on a timestamp compares the whole millisecond', async (_op, operators, expected) => {
    const x = '2024-05-01T12:00:00.123Z';
    const next = '2024-05-01T12:00:00.124Z';
    const fill = (text: string) => text.replace(/X\+1/g, next).replace(/X/g, x);
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    const filter = JSON.parse(fill(JSON.stringify(operators)));
    await adapter.findMany({ filters: { remindAt: filter } }, notesTable);
    const params = fake.only().params.filter(([k]) => k === 'remind_at' || k === 'or');
    expect(params).toEqual((expected as string[][]).map(([k, v]) => [k, fill(v)]));
  });

  it.each([
    ['eq', { createdAt: 'X' }, [['created_at', 'eq.X']]],
    ['neq', { createdAt: { neq: 'X' } }, [['created_at', 'neq.X']]],
    ['createdAfter', { createdAfter: 'X' }, [['created_at', 'gt.X']]],
    ['lte', { createdAt: { lte: 'X' } }, [['created_at', 'lte.X']]],
    ['in', { createdAt: { in: ['X', 'Y'] } }, [['created_at', 'in.("X","Y")']]],
  ])(
    '%s on a millisecond column of the library’s tables is the plain filter',
    async (_op, filters, expected) => {
      const x = '2024-05-01T12:00:00.123Z';
      const y = '2024-05-01T12:00:05.000Z';
      const fill = (text: string) => text.replace(/X/g, x).replace(/Y/g, y);
      const { adapter, fake } = fakeAdapter();
      fake.reply(ok([]));
      await adapter.findMany({ filters: JSON.parse(fill(JSON.stringify(filters))) }, usersTable);
      const { path, params } = fake.only();
      expect(path).toBe('/rest/v1/users');
      const sent = params.filter(([k]) => k === 'created_at' || k === 'or');
      expect(sent).toEqual((expected as string[][]).map(([k, v]) => [k, fill(v)]));
    },
  );

  it('a cursor on a millisecond column of the library’s tables compares the stored values', async () => {
    const { adapter, fake } = fakeAdapter();
    const createdAt = '2024-05-01T12:00:00.123Z';
    const id = idOf(1);
    fake.reply(ok([userRow(id, createdAt), userRow(idOf(2), createdAt)]), ok([]));
    const first = (await adapter.findPage(
      { orderBy: { field: 'createdAt', direction: 'desc' }, pagination: { limit: 1 } },
      usersTable,
    )) as ICursorPaginatedResult<IUserEntity>;
    await adapter.findPage(
      {
        orderBy: { field: 'createdAt', direction: 'desc' },
        pagination: { after: first.nextCursor, limit: 1 },
      },
      usersTable,
    );
    const or = fake.requests[1].params.find(([k]) => k === 'or');
    expect(or).toEqual([
      'or',
      `(created_at.lt."${createdAt}",and(created_at.eq."${createdAt}",id.lt."${id}"))`,
    ]);
  });

  it('the last millisecond of year 9999 bounds its bucket with a year PostgreSQL reads', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    await adapter.findMany(
      { filters: { remindAt: { lte: '9999-12-31T23:59:59.999Z' } } },
      notesTable,
    );
    expect(fake.only().params).toContainEqual(['remind_at', 'lt.10000-01-01T00:00:00.000Z']);
  });

  it('property: over microsecond rows, a filter on a returned value selects what its millisecond does', async () => {
    const base = microseconds('2024-05-01T12:00:00.000Z');
    const instant = fc.integer({ min: 0, max: 5_000 }).map((us) => {
      const at = new Date(Math.floor((base + us) / 1000)).toISOString();
      return at.replace('Z', `${String((base + us) % 1000).padStart(3, '0')}+00:00`);
    });
    const op = fc.constantFrom('eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in');
    await fc.assert(
      fc.asyncProperty(
        fc.array(instant, { minLength: 1, maxLength: 8 }),
        op,
        fc.nat(),
        async (stored, operator, pick) => {
          const rows = stored.map((at, i) => row(idOf(i + 1), '2024-01-01T00:00:00+00:00', at));
          const value = shown(stored[pick % stored.length]);
          const { adapter, answer } = evaluatingAdapter(rows);
          answer();
          const filter = operator === 'in' ? { in: [value] } : { [operator]: value };
          const found = await adapter.findMany({ filters: { remindAt: filter } }, notesTable);
          const compare = (a: string, b: string): boolean =>
            ({
              eq: a === b,
              in: a === b,
              neq: a !== b,
              gt: a > b,
              gte: a >= b,
              lt: a < b,
              lte: a <= b,
            })[operator]!;
          const expected = rows
            .filter((r) => compare(shown(r.remind_at as string), value))
            .map((r) => r.id);
          expect(found.map((n) => n.id).sort()).toEqual(expected.sort());
        },
      ),
      { numRuns: 150 },
    );
  });

  it('walks rows sharing a microsecond createdAt exactly once with cursors, in order', async () => {
    const rows = Array.from({ length: 7 }, (_, i) =>
      row(idOf(i + 1), '2024-05-01T12:00:00.123456+00:00'),
    );
    const { adapter, answer } = evaluatingAdapter(rows);
    for (const direction of ['asc', 'desc'] as const) {
      for (const limit of [1, 3]) {
        const { rows: walked } = await walkCursor((pagination) => {
          answer();
          return adapter.findPage(
            { orderBy: { field: 'createdAt', direction }, pagination },
            notesTable,
          );
        }, limit);
        const inIdOrder = rows.map((r) => r.id);
        expect(walked.map((n) => n.id)).toEqual(
          direction === 'asc' ? inIdOrder : inIdOrder.reverse(),
        );
        for (const note of walked) expect(note.createdAt).toBe('2024-05-01T12:00:00.123Z');
      }
    }
  });
});
