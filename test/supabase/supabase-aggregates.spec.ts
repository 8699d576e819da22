/**
 * Aggregates as PostgREST requests. Grammar and answers from PostgREST's docs
 * (docs/references/api/aggregate_functions.rst, v12+): `select=col,count(),alias:col.sum()::text`
 * groups by the plain columns itself; `::text` casts the aggregate's output; aggregate functions
 * are off unless the server sets `db-aggregates-enabled`, and a request using them is then
 * refused with 400 `PGRST123` "Use of aggregate functions is not allowed"
 * (docs/references/errors.rst).
 */
import {
  AggregatesNotEnabledException,
  QueryException,
  ValidationException,
} from '../../src/exceptions';
import {
  fakeAdapter,
  notesTable,
  ok,
  OWNER_ID,
  pgError,
  rejection,
} from './support/fake-postgrest';

const OTHER_OWNER = '1f0e2d3c-4b5a-4697-8877-665544332211';

describe('Supabase aggregates', () => {
  it('sends one GET with aggregate functions in select, ordered by the group', async () => {
    const { adapter, fake } = fakeAdapter({ aggregatesEnabled: true });
    fake.reply(
      ok([
        {
          owner_id: OWNER_ID,
          'count-rows': 3,
          'sum-stars': '18014398509481985',
          'count-stars': 3,
          'min-remind_at': '2024-05-01T14:00:00+02:00',
          'max-stars': 9007199254740991,
        },
        {
          owner_id: OTHER_OWNER,
          'count-rows': 1,
          'sum-stars': null,
          'count-stars': 0,
          'min-remind_at': null,
          'max-stars': null,
        },
      ]),
    );
    const rows = await adapter.aggregate(
      {
        filters: { pinned: true },
        groupBy: ['ownerId'],
        count: true,
        sum: ['stars'],
        avg: ['stars'],
        min: ['remindAt'],
        max: ['stars'],
      },
      notesTable,
    );
    const request = fake.only();
    expect(request.method).toBe('GET');
    expect(request.path).toBe('/rest/v1/notes');
    expect(request.params).toEqual([
      [
        'select',
        'owner_id,count-rows:count(),sum-stars:stars.sum()::text,count-stars:stars.count(),min-remind_at:remind_at.min(),max-stars:stars.max()',
      ],
      ['deleted_at', 'is.null'],
      ['pinned', 'eq.true'],
      ['order', 'owner_id.asc.nullslast'],
    ]);
    expect(request.url.search).toBe(
      '?select=owner_id%2Ccount-rows%3Acount%28%29%2Csum-stars%3Astars.sum%28%29%3A%3Atext%2Ccount-stars%3Astars.count%28%29%2Cmin-remind_at%3Aremind_at.min%28%29%2Cmax-stars%3Astars.max%28%29&deleted_at=is.null&pinned=eq.true&order=owner_id.asc.nullslast',
    );
    expect(rows).toEqual([
      {
        ownerId: OWNER_ID,
        count: 3,
        sum: { stars: '18014398509481985' },
        avg: { stars: Number(18014398509481985n) / 3 },
        min: { remindAt: '2024-05-01T12:00:00.000Z' },
        max: { stars: 9007199254740991 },
      },
      {
        ownerId: OTHER_OWNER,
        count: 1,
        sum: { stars: null },
        avg: { stars: null },
        min: { remindAt: null },
        max: { stars: null },
      },
    ]);
    fake.verify();
  });

  it('asks for one sum where sum and avg name the same column, and nothing to group without groupBy', async () => {
    const { adapter, fake } = fakeAdapter({ aggregatesEnabled: true });
    fake.reply(ok([{ 'sum-stars': '7', 'count-stars': 2 }]));
    const rows = await adapter.aggregate(
      { sum: ['stars'], avg: ['stars'], includeDeleted: true },
      notesTable,
    );
    expect(fake.only().params).toEqual([
      ['select', 'sum-stars:stars.sum()::text,count-stars:stars.count()'],
    ]);
    expect(rows).toEqual([{ sum: { stars: '7' }, avg: { stars: 3.5 } }]);
  });

  it('asks for a count to make PostgREST group when only groups are wanted, and leaves it out', async () => {
    const { adapter, fake } = fakeAdapter({ aggregatesEnabled: true });
    fake.reply(
      ok([
        { pinned: false, 'count-rows': 2 },
        { pinned: true, 'count-rows': 1 },
      ]),
    );
    const rows = await adapter.aggregate({ groupBy: ['pinned'] }, notesTable);
    expect(fake.only().params).toEqual([
      ['select', 'pinned,count-rows:count()'],
      ['deleted_at', 'is.null'],
      ['order', 'pinned.asc.nullslast'],
    ]);
    expect(rows).toEqual([{ pinned: false }, { pinned: true }]);
  });

  it('refuses a sum that is not an integer text rather than return an inexact one', async () => {
    const { adapter, fake } = fakeAdapter({ aggregatesEnabled: true });
    fake.reply(ok([{ 'sum-stars': 1.5 }]), ok([{ 'sum-stars': '1e3' }]));
    for (let i = 0; i < 2; i++) {
      const error = await rejection(adapter.aggregate({ sum: ['stars'] }, notesTable));
      expect(error).toBeInstanceOf(QueryException);
    }
    fake.verify();
  });

  it('keeps hostile filter values one value', async () => {
    const { adapter, fake } = fakeAdapter({ aggregatesEnabled: true });
    fake.reply(ok([{ 'count-rows': 0 }]));
    await adapter.aggregate({ filters: { title: '"),or(id.gt.0' }, count: true }, notesTable);
    expect(fake.only().params).toEqual([
      ['select', 'count-rows:count()'],
      ['deleted_at', 'is.null'],
      ['title', 'eq."),or(id.gt.0'],
    ]);
  });

  it('sends nothing for a filter that matches nothing', async () => {
    const { adapter, fake } = fakeAdapter({ aggregatesEnabled: true });
    const request = { filters: { slug: { in: [] } }, count: true, sum: ['stars'] } as const;
    expect(await adapter.aggregate(request, notesTable)).toEqual([
      { count: 0, sum: { stars: null } },
    ]);
    expect(await adapter.aggregate({ ...request, groupBy: ['pinned'] }, notesTable)).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it('without aggregatesEnabled, refuses with an error naming db-aggregates-enabled, sending nothing', async () => {
    const { adapter, fake } = fakeAdapter();
    expect(adapter.capabilities.aggregates).toBe(false);
    const error = await rejection(adapter.aggregate({ count: true }, notesTable));
    expect(error).toBeInstanceOf(AggregatesNotEnabledException);
    expect((error as AggregatesNotEnabledException).code).toBe('AGGREGATES_NOT_ENABLED');
    expect((error as Error).message).toMatch(/db-aggregates-enabled/);
    expect((error as Error).message).toMatch(/aggregatesEnabled: true/);
    expect((error as Error).message).toMatch(/rpc\(\)/);
    expect(fake.requests).toHaveLength(0);
    expect(fakeAdapter({ aggregatesEnabled: true }).adapter.capabilities.aggregates).toBe(true);
  });

  it("maps the server's PGRST123 refusal to the same error, keeping PostgREST's as cause", async () => {
    const { adapter, fake } = fakeAdapter({ aggregatesEnabled: true });
    fake.reply(pgError(400, 'PGRST123', 'Use of aggregate functions is not allowed'));
    const error = await rejection(adapter.aggregate({ count: true }, notesTable));
    expect(error).toBeInstanceOf(AggregatesNotEnabledException);
    expect((error as Error).message).toMatch(/db-aggregates-enabled/);
    expect((error as Error).cause).toMatchObject({ code: 'PGRST123' });
    fake.verify();
  });

  it('checks the request before sending it', async () => {
    const { adapter, fake } = fakeAdapter({ aggregatesEnabled: true });
    for (const [options, field] of [
      [{ sum: ['title'] }, 'title'],
      [{ groupBy: ['meta'] }, 'meta'],
      [{ max: ['secret'] }, 'secret'],
      [{ count: true, filters: { nope: 1 } }, 'nope'],
    ] as const) {
      const error = await rejection(adapter.aggregate(options as never, notesTable));
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as ValidationException).field).toBe(field);
    }
    expect(fake.requests).toHaveLength(0);
  });
});
