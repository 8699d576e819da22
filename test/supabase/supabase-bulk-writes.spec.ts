/**
 * The bulk writes on Supabase at the fetch boundary: one PATCH or DELETE filtered like a read,
 * `Prefer: return=minimal, count=exact`, the count read from Content-Range (`*\/N`, PostgREST
 * "Pagination and Count"); upsertMany as one upsert per row; raw SQL refused, pointing to rpc().
 */
import { QueryException, ValidationException } from '../../src/exceptions';
import { defineTable } from '../../src/schema/table-definition';
import {
  empty,
  fakeAdapter,
  NOTE_ID,
  noteInput,
  noteRow,
  notesTable,
  ok,
  OWNER_ID,
  pgError,
  rejection,
  tagsTable,
  type RecordedRequest,
} from './support/fake-postgrest';

/** The client's clock, in the library's timestamp form. */
const NOW_ISO = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const HOSTILE = "'; DROP TABLE notes; --";

/** The Prefer header as a set of its comma-separated preferences. */
function prefer(request: RecordedRequest): string[] {
  return (request.headers.prefer ?? '')
    .split(',')
    .map((p) => p.trim())
    .sort();
}

describe('SupabaseAdapter bulk writes', () => {
  it('updateMany is one PATCH with the filters, the values and the count in Content-Range', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(empty(204, '*/3'));
    const changed = await adapter.updateMany(
      { ownerId: OWNER_ID, title: HOSTILE },
      { title: 'Renamed', pinned: false },
      notesTable,
    );
    expect(changed).toBe(3);
    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request.method).toBe('PATCH');
    expect(request.path).toBe('/rest/v1/notes');
    expect(request.params).toEqual([
      ['deleted_at', 'is.null'],
      ['owner_id', `eq.${OWNER_ID}`],
      ['title', `eq.${HOSTILE}`],
    ]);
    expect(prefer(request)).toEqual(['count=exact', 'return=minimal']);
    expect(request.body).toEqual({ title: 'Renamed', pinned: false, updated_at: NOW_ISO });
  });

  it('softDeleteMany PATCHes live rows, restoreMany deleted ones', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(empty(204, '*/2'), empty(204, '*/0'));
    expect(await adapter.softDeleteMany({ stars: { gte: 4 } }, notesTable)).toBe(2);
    expect(await adapter.restoreMany({ stars: { gte: 4 } }, notesTable)).toBe(0);
    const [deleting, restoring] = fake.requests;
    expect([deleting.method, restoring.method]).toEqual(['PATCH', 'PATCH']);
    expect(deleting.params).toEqual([
      ['deleted_at', 'is.null'],
      ['stars', 'gte.4'],
    ]);
    expect(deleting.body).toEqual({ deleted_at: NOW_ISO, updated_at: NOW_ISO });
    expect(restoring.params).toEqual([
      ['deleted_at', 'not.is.null'],
      ['stars', 'gte.4'],
    ]);
    expect(restoring.body).toEqual({ deleted_at: null, updated_at: NOW_ISO });
    expect(prefer(restoring)).toEqual(['count=exact', 'return=minimal']);
  });

  it('deleteMany is one DELETE: live rows only unless includeDeleted', async () => {
    const { adapter, fake } = fakeAdapter();
    // PostgREST prints the affected range before the count (`0-4/5`) or `*/N`: the count is after `/`.
    fake.reply(empty(204, '*/1'), empty(204, '0-4/5'), empty(204, '*/2'));
    expect(await adapter.deleteMany({ slug: ['a', 'b'] }, notesTable)).toBe(1);
    expect(await adapter.deleteMany({}, notesTable, { all: true, includeDeleted: true })).toBe(5);
    expect(await adapter.deleteMany({ label: 'x' }, tagsTable)).toBe(2);
    expect(fake.requests.map((r) => [r.method, r.path, r.params])).toEqual([
      [
        'DELETE',
        '/rest/v1/notes',
        [
          ['deleted_at', 'is.null'],
          ['slug', 'in.("a","b")'],
        ],
      ],
      ['DELETE', '/rest/v1/notes', []],
      ['DELETE', '/rest/v1/tags', [['label', 'eq.x']]],
    ]);
    expect(fake.requests.every((r) => prefer(r).join() === 'count=exact,return=minimal')).toBe(
      true,
    );
  });

  it('refuses an empty filter without { all: true }, and sends nothing for an empty IN list', async () => {
    const { adapter, fake } = fakeAdapter();
    for (const attempt of [
      adapter.updateMany({}, { title: 'x' }, notesTable),
      adapter.softDeleteMany(undefined, notesTable),
      adapter.restoreMany({ title: undefined }, notesTable),
      adapter.deleteMany({ search: '' }, notesTable),
    ]) {
      const error = await rejection(attempt);
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as ValidationException).field).toBe('filters');
    }
    expect(await adapter.updateMany({ slug: [] }, { title: 'x' }, notesTable)).toBe(0);
    expect(fake.requests).toHaveLength(0);
    fake.reply(empty(204, '*/7'));
    expect(await adapter.softDeleteMany(undefined, notesTable, { all: true })).toBe(7);
    expect(fake.requests[0].params).toEqual([['deleted_at', 'is.null']]);
  });

  it('refuses a versioned table: one PATCH cannot bump each row’s version', async () => {
    const { adapter, fake } = fakeAdapter();
    const versioned = defineTable({
      name: 'docs',
      versioned: true,
      columns: { title: { type: 'string' } },
    });
    const error = await rejection(adapter.updateMany({ title: 'a' }, { title: 'b' }, versioned));
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toMatch(/rpc\(\)/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('SupabaseAdapter upsertMany', () => {
  it('is not atomic: one upsert per row, in order, results in input order', async () => {
    const { adapter, fake } = fakeAdapter();
    expect(adapter.capabilities.atomicUpsertMany).toBe(false);
    const clash = pgError(
      409,
      '23505',
      'duplicate key value violates unique constraint "notes_slug_key"',
      'Key (slug)=(second) already exists.',
    );
    fake.reply((request) => ok(request.body, 201), clash, ok([noteRow({ slug: 'second' })]));
    const results = await adapter.upsertMany(
      [noteInput({ slug: 'first' }), noteInput({ slug: 'second' })],
      notesTable,
      { conflictField: 'slug', onConflict: 'ignore' },
    );
    expect(results.map((r) => [r.created, r.applied, r.record.slug])).toEqual([
      [true, true, 'first'],
      [false, false, 'second'],
    ]);
    expect(results[1].record.id).toBe(NOTE_ID);
    expect(fake.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'GET']);
  });

  it('checks every row, and refuses a key given twice, before the first request', async () => {
    const { adapter, fake } = fakeAdapter();
    const error = await rejection(
      adapter.upsertMany([noteInput(), noteInput({ slug: 'other' }), noteInput()], notesTable, {
        conflictField: 'slug',
        onConflict: 'update',
      }),
    );
    expect((error as ValidationException).field).toBe('2.slug');
    const bad = await rejection(
      adapter.upsertMany([noteInput(), noteInput({ stars: 'x' as never })], notesTable, {
        conflictField: 'slug',
        onConflict: 'update',
      }),
    );
    expect((bad as ValidationException).field).toBe('1.stars');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('SupabaseAdapter raw sql', () => {
  it('is refused with a QueryException that points to rpc(), without a request', async () => {
    const { adapter, fake } = fakeAdapter();
    expect(adapter.capabilities.rawSql).toBe(false);
    const error = await rejection(adapter.sql`SELECT * FROM notes WHERE id = ${NOTE_ID}`);
    expect(error).toBeInstanceOf(QueryException);
    expect((error as Error).message).toMatch(/adapter\.rpc\(fn, args\)/);
    const mapped = await rejection(adapter.sql.map(notesTable)`SELECT 1`);
    expect(mapped).toBeInstanceOf(QueryException);
    expect(fake.requests).toHaveLength(0);
  });
});
