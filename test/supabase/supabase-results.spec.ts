/**
 * Responses → results: PostgREST's JSON (timestamptz as `2024-01-01T00:00:00.123+00:00`,
 * jsonb as JSON, booleans and integers as JSON scalars; docs/references/api/resource_representation.rst)
 * becomes entities in the form every provider returns; counts come from Content-Range
 * (docs/references/api/pagination_count.rst); the observer sees every operation.
 */
import type { QueryEvent } from '../../src/adapters/query-observer';
import { SupabaseAdapter } from '../../src/adapters/supabase';
import { ValidationException } from '../../src/exceptions';
import { allowQueriesOn } from '../../src/schema/table-definition';
import {
  fakeAdapter,
  Note,
  NOTE_ID,
  noteInput,
  noteRow,
  notesTable,
  ok,
  pgError,
  tagsTable,
  URL_BASE,
} from './support/fake-postgrest';

describe('Supabase results', () => {
  it('rows become entity instances with ISO timestamps, JSON objects, booleans and integers', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([noteRow()]));
    const note = await adapter.findById(NOTE_ID, notesTable);
    expect(note).toBeInstanceOf(Note);
    expect({ ...note }).toEqual({
      id: NOTE_ID,
      ownerId: '7d2c9e44-1b3a-4f5e-8c6d-9e0f1a2b3c4d',
      slug: 'first-note',
      title: 'First note',
      body: null,
      stars: 3,
      pinned: true,
      remindAt: '2024-05-01T12:00:00.000Z',
      meta: { tags: ['a'], nested: { n: 1 } },
      createdAt: '2024-01-01T00:00:00.123Z',
      updatedAt: '2024-01-01T00:00:00.100Z',
      deletedAt: null,
    });
    // A sensitive property is not enumerable (so a spread drops it) but is there by name.
    expect(note?.secret).toBeNull();
  });

  it('a table without an entity class gives plain objects', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(
      ok([
        {
          id: NOTE_ID,
          label: 'x',
          created_at: '2024-01-01T00:00:00+00:00',
          updated_at: '2024-01-01T00:00:00+00:00',
        },
      ]),
    );
    const [tag] = await adapter.findMany({}, tagsTable);
    expect(Object.getPrototypeOf(tag)).toBe(Object.prototype);
    expect(tag).toEqual({
      id: NOTE_ID,
      label: 'x',
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
    });
  });

  it('create returns the row PostgREST sent back', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok(noteRow({ stars: 4 }), 201));
    const note = await adapter.create(noteInput({ stars: 4 }), notesTable);
    expect(note).toBeInstanceOf(Note);
    expect(note.stars).toBe(4);
  });

  it('invalid input is a ValidationException naming every field, before any request', async () => {
    const { adapter, fake } = fakeAdapter();
    const error = await adapter
      .create(noteInput({ stars: 1.5, pinned: 'yes' as never }), notesTable)
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationException);
    // A set: normalizeCreate currently lists a bad required field twice (invalid, then "required").
    expect(new Set((error as ValidationException).violations.map((v) => v.field))).toEqual(
      new Set(['stars', 'pinned']),
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('findPage (offset) reads the total from Content-Range', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([noteRow()], 206, '20-20/21'));
    const page = await adapter.findPage({ pagination: { page: 2, limit: 20 } }, notesTable);
    expect(page).toMatchObject({
      total: 21,
      page: 2,
      totalPages: 2,
      hasNext: false,
      hasPrevious: true,
    });
    expect((page.data as Note[])[0]).toBeInstanceOf(Note);
  });

  it('findPage (cursor) fetches one row ahead and returns a cursor for the next page', async () => {
    const { adapter, fake } = fakeAdapter();
    const second = '1b5f6c1e-8d4a-4c39-9a57-2f0e4c1d9a10';
    fake.reply(ok([noteRow(), noteRow({ id: second })]), ok([noteRow({ id: second })]));
    const first = await adapter.findPage({ pagination: { limit: 1 } }, notesTable);
    expect(first).toMatchObject({ hasNext: true, limit: 1 });
    expect(first.data).toHaveLength(1);
    const next = await adapter.findPage(
      { pagination: { after: (first as { nextCursor: string }).nextCursor, limit: 1 } },
      notesTable,
    );
    expect(next).toMatchObject({ hasNext: false, nextCursor: null });
    const or = fake.requests[1].params.find(([k]) => k === 'or')![1];
    expect(or).toBe(
      `(created_at.gte."2024-01-01T00:00:00.124Z",and(created_at.gte."2024-01-01T00:00:00.123Z",created_at.lt."2024-01-01T00:00:00.124Z",id.gt."${NOTE_ID}"))`,
    );
  });

  it('reports every operation to the observer, with statements and redacted params when asked', async () => {
    const events: QueryEvent[] = [];
    const { adapter, fake } = fakeAdapter({
      observer: { wantsStatements: true, onQuery: (e) => events.push(e) },
    });
    fake.reply(
      ok(noteRow(), 201),
      ok([]),
      pgError(409, '23505', 'duplicate', 'Key (slug)=(x) already exists.'),
    );
    await adapter.create(noteInput({ secret: 'hunter2' }), notesTable);
    // Filtering on a sensitive column needs the opt-in; its value is still redacted.
    const optedIn = allowQueriesOn(notesTable, ['secret']);
    await adapter.findMany({ filters: { secret: 'hunter2', title: 'T' } }, optedIn);
    await adapter.create(noteInput(), notesTable).catch(() => undefined);
    expect(events.map((e) => [e.provider, e.operation, e.table, e.error?.code])).toEqual([
      ['supabase', 'create', 'notes', undefined],
      ['supabase', 'findMany', 'notes', undefined],
      ['supabase', 'create', 'notes', 'UNIQUE_VIOLATION'],
    ]);
    expect(events[0].statement).toBe('POST /rest/v1/notes?select=*');
    expect(events[0].params).toContain('[REDACTED]');
    expect(events[0].params).not.toContain('hunter2');
    expect(events[1].statement).toContain('secret=%5BREDACTED%5D');
    expect(events[1].statement).not.toContain('hunter2');
    expect(events[1].params).toEqual(['[REDACTED]', 'T']);
    expect(events.every((e) => e.durationMs >= 0)).toBe(true);
  });

  it('without wantsStatements the events carry no statement or params', async () => {
    const events: QueryEvent[] = [];
    const { adapter, fake } = fakeAdapter({ observer: { onQuery: (e) => events.push(e) } });
    fake.reply(ok([]));
    await adapter.findMany({}, notesTable);
    expect(events).toHaveLength(1);
    expect(events[0]).not.toHaveProperty('statement');
    expect(events[0]).not.toHaveProperty('params');
  });

  it('an observer that throws does not fail the operation', async () => {
    const { adapter, fake } = fakeAdapter({
      observer: {
        onQuery: () => {
          throw new Error('observer bug');
        },
      },
    });
    fake.reply(ok([]));
    await expect(adapter.findMany({}, notesTable)).resolves.toEqual([]);
  });

  it('the page-size limit comes from options.limits', async () => {
    const { adapter } = fakeAdapter({ limits: { maxPageSize: 5 } });
    await expect(
      adapter.findMany({ pagination: { page: 1, limit: 6 } }, notesTable),
    ).rejects.toMatchObject({
      field: 'pagination.limit',
    });
  });

  it('options without a key or url are refused', () => {
    expect(() => new SupabaseAdapter({ url: URL_BASE })).toThrow(ValidationException);
    expect(() => new SupabaseAdapter({ url: '', anonKey: 'k' })).toThrow(ValidationException);
    expect(() => new SupabaseAdapter({ url: 'not a url', anonKey: 'k' })).toThrow(
      ValidationException,
    );
  });
});
