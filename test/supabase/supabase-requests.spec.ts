/**
 * The exact HTTP request of every SupabaseAdapter operation, as PostgREST documents it:
 * - reads, filters, order, offset/limit: PostgREST docs/references/api/tables_views.rst and
 *   pagination_count.rst (`offset`/`limit` query parameters, `Prefer: count=exact`);
 * - writes: resource_representation.rst and preferences.rst (`Prefer: return=representation`,
 *   `Accept: application/vnd.pgrst.object+json` for one object);
 * - functions: functions.rst (`POST /rpc/<fn>` with the arguments as the JSON body).
 * Headers as supabase-js 2.119 sends them (postgrest-js PostgrestBuilder.ts, supabase-js lib/fetch.ts).
 */
import { TransactionNotSupportedException, ValidationException } from '../../src/exceptions';
import { encodeCursor } from '../../src/query/cursor';
import {
  ANON_KEY,
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
  SERVICE_KEY,
  tagsTable,
} from './support/fake-postgrest';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('SupabaseAdapter requests', () => {
  it('sends the service key as apikey and bearer, with the public profile on reads', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    await adapter.findMany({}, notesTable);
    const request = fake.only();
    expect(request.headers).toMatchObject({
      apikey: SERVICE_KEY,
      authorization: `Bearer ${SERVICE_KEY}`,
      'accept-profile': 'public',
    });
    expect(request.headers['content-type']).toBeUndefined();
    fake.verify();
  });

  it('create: POST one object with return=representation and the singular Accept', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok(noteRow(), 201));
    await adapter.create(noteInput({ secret: 's3cret' }), notesTable);
    const request = fake.only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/rest/v1/notes');
    expect(request.params).toEqual([['select', '*']]);
    expect(request.headers).toMatchObject({
      prefer: 'return=representation',
      accept: 'application/vnd.pgrst.object+json',
      'content-profile': 'public',
      'content-type': 'application/json',
    });
    const body = request.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(notesTable.columns.map((c) => c.column).sort());
    expect(body).toMatchObject({
      owner_id: OWNER_ID,
      slug: 'first-note',
      body: null,
      stars: 3,
      pinned: true,
      remind_at: null,
      meta: { tags: ['a'] },
      secret: 's3cret',
      deleted_at: null,
    });
    expect(body.id).toMatch(UUID);
    expect(body.created_at).toMatch(ISO);
    expect(body.updated_at).toBe(body.created_at);
    fake.verify();
  });

  it('createMany: one POST with an array and the column list (all-or-nothing), rows in input order', async () => {
    const { adapter, fake } = fakeAdapter();
    // Answer with the sent rows, reversed: the adapter must restore the input order.
    fake.reply((request) => ok([...(request.body as Record<string, unknown>[])].reverse(), 201));
    const created = await adapter.createMany(
      [noteInput(), noteInput({ slug: 'second' })],
      notesTable,
    );
    expect(created.map((n) => n.slug)).toEqual(['first-note', 'second']);
    const request = fake.only();
    expect(request.method).toBe('POST');
    expect(request.params[0][0]).toBe('columns');
    expect(request.params[0][1].split(',').sort()).toEqual(
      notesTable.columns.map((c) => `"${c.column}"`).sort(),
    );
    expect(request.params[1]).toEqual(['select', '*']);
    expect(request.headers.prefer).toBe('return=representation');
    expect(request.body).toHaveLength(2);
    fake.verify();
  });

  it('createMany of nothing sends no request', async () => {
    const { adapter, fake } = fakeAdapter();
    await expect(adapter.createMany([], notesTable)).resolves.toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it('findById: GET by id and live rows, no singular Accept (0 rows is null, not 406)', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([noteRow()]));
    await adapter.findById(NOTE_ID.toUpperCase(), notesTable);
    const request = fake.only();
    expect(request.method).toBe('GET');
    expect(request.params).toEqual([
      ['select', '*'],
      ['id', `eq.${NOTE_ID}`],
      ['deleted_at', 'is.null'],
    ]);
    expect(request.headers.accept).toBeUndefined();
  });

  it('findById with includeDeleted, and on a table without soft delete, has no deleted_at filter', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]), ok([]));
    await adapter.findById(NOTE_ID, notesTable, { includeDeleted: true });
    await adapter.findById(NOTE_ID, tagsTable);
    expect(fake.requests.map((r) => r.params)).toEqual([
      [
        ['select', '*'],
        ['id', `eq.${NOTE_ID}`],
      ],
      [
        ['select', '*'],
        ['id', `eq.${NOTE_ID}`],
      ],
    ]);
  });

  it('findByIds: one quoted in-list per 100 ids', async () => {
    const { adapter, fake } = fakeAdapter();
    const ids = Array.from(
      { length: 150 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    fake.reply(ok([]), ok([]));
    await adapter.findByIds([...ids, ids[0]], notesTable);
    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests.map((r) => r.params);
    expect(first[0]).toEqual(['select', '*']);
    expect(first[1]).toEqual(['deleted_at', 'is.null']);
    expect(first[2]).toEqual([
      'id',
      `in.(${ids
        .slice(0, 100)
        .map((id) => `"${id}"`)
        .join(',')})`,
    ]);
    expect(second[2]).toEqual([
      'id',
      `in.(${ids
        .slice(100)
        .map((id) => `"${id}"`)
        .join(',')})`,
    ]);
  });

  it('findByIds of nothing sends no request', async () => {
    const { adapter, fake } = fakeAdapter();
    await expect(adapter.findByIds([], notesTable)).resolves.toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it('findMany: default order createdAt then id, NULLs last ascending', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    await adapter.findMany({}, notesTable);
    expect(fake.only().params).toEqual([
      ['select', '*'],
      ['deleted_at', 'is.null'],
      ['order', 'created_at.asc.nullslast,id.asc.nullslast'],
    ]);
  });

  it('findMany: descending keys put NULLs first; offset pages use offset and limit', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    await adapter.findMany(
      { orderBy: [{ field: 'remindAt', direction: 'desc' }], pagination: { page: 3, limit: 10 } },
      notesTable,
    );
    const request = fake.only();
    expect(request.params).toEqual([
      ['select', '*'],
      ['deleted_at', 'is.null'],
      ['order', 'remind_at.desc.nullsfirst,id.asc.nullslast'],
      ['offset', '20'],
      ['limit', '10'],
    ]);
    // PostgREST pages by query parameters; supabase-js never sends a Range header.
    expect(request.headers.range).toBeUndefined();
  });

  it('findPage (offset): one GET with Prefer count=exact', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([noteRow()], 206, '0-0/41'));
    const page = await adapter.findPage({ pagination: { page: 1, limit: 20 } }, notesTable);
    const request = fake.only();
    expect(request.method).toBe('GET');
    expect(request.headers.prefer).toBe('count=exact');
    expect(request.params).toEqual([
      ['select', '*'],
      ['deleted_at', 'is.null'],
      ['order', 'created_at.asc.nullslast,id.asc.nullslast'],
      ['limit', '20'],
    ]);
    expect(page).toMatchObject({ total: 41, page: 1, limit: 20, totalPages: 3, hasNext: true });
  });

  it('findPage (cursor): keyset terms in one quoted or=(...) and limit + 1', async () => {
    const { adapter, fake } = fakeAdapter();
    const after = encodeCursor('stars:desc,id:asc', [5, NOTE_ID]);
    fake.reply(ok([]));
    await adapter.findPage(
      { orderBy: { field: 'stars', direction: 'desc' }, pagination: { after, limit: 2 } },
      notesTable,
    );
    expect(fake.only().params).toEqual([
      ['select', '*'],
      ['deleted_at', 'is.null'],
      ['or', `(stars.lt."5",and(stars.eq."5",id.gt."${NOTE_ID}"))`],
      ['order', 'stars.desc.nullsfirst,id.asc.nullslast'],
      ['limit', '3'],
    ]);
  });

  it('findFirst: limit 1', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    await expect(adapter.findFirst({ filters: { pinned: true } }, notesTable)).resolves.toBeNull();
    expect(fake.only().params).toEqual([
      ['select', '*'],
      ['deleted_at', 'is.null'],
      ['pinned', 'eq.true'],
      ['order', 'created_at.asc.nullslast,id.asc.nullslast'],
      ['limit', '1'],
    ]);
  });

  it('count: HEAD with Prefer count=exact, total read from Content-Range', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(empty(200, '*/17'));
    await expect(adapter.count({ stars: { gte: 2 } }, notesTable)).resolves.toBe(17);
    const request = fake.only();
    expect(request.method).toBe('HEAD');
    expect(request.headers.prefer).toBe('count=exact');
    expect(request.params).toEqual([
      ['select', '*'],
      ['deleted_at', 'is.null'],
      ['stars', 'gte.2'],
    ]);
  });

  it('exists: GET of the id column with limit 1', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([{ id: NOTE_ID }]), ok([]));
    await expect(adapter.exists(NOTE_ID, notesTable)).resolves.toBe(true);
    await expect(adapter.exists(NOTE_ID, notesTable)).resolves.toBe(false);
    expect(fake.requests[0].params).toEqual([
      ['select', 'id'],
      ['id', `eq.${NOTE_ID}`],
      ['deleted_at', 'is.null'],
      ['limit', '1'],
    ]);
  });

  it('update: PATCH the live row with return=representation; only given fields and updated_at', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([noteRow({ title: 'Renamed' })]));
    await adapter.update(NOTE_ID, { title: 'Renamed', body: null }, notesTable);
    const request = fake.only();
    expect(request.method).toBe('PATCH');
    expect(request.params).toEqual([
      ['id', `eq.${NOTE_ID}`],
      ['deleted_at', 'is.null'],
      ['select', '*'],
    ]);
    expect(request.headers.prefer).toBe('return=representation');
    expect(request.headers.accept).toBeUndefined();
    expect(Object.keys(request.body as object).sort()).toEqual(['body', 'title', 'updated_at']);
  });

  it('softDelete: PATCH deleted_at and updated_at where deleted_at is null, selecting the id', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([{ id: NOTE_ID }]));
    await adapter.softDelete(NOTE_ID, notesTable);
    const request = fake.only();
    expect(request.method).toBe('PATCH');
    expect(request.params).toEqual([
      ['id', `eq.${NOTE_ID}`],
      ['deleted_at', 'is.null'],
      ['select', 'id'],
    ]);
    const body = request.body as Record<string, string>;
    expect(body.deleted_at).toMatch(ISO);
    expect(body.updated_at).toBe(body.deleted_at);
  });

  it('restore: PATCH deleted_at to null where it is not null', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([noteRow()]));
    await adapter.restore(NOTE_ID, notesTable);
    const request = fake.only();
    expect(request.params).toEqual([
      ['id', `eq.${NOTE_ID}`],
      ['deleted_at', 'not.is.null'],
      ['select', '*'],
    ]);
    expect((request.body as Record<string, unknown>).deleted_at).toBeNull();
  });

  it('hardDelete: DELETE by id with return=representation of the id', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([{ id: NOTE_ID }]));
    await adapter.hardDelete(NOTE_ID, notesTable);
    const request = fake.only();
    expect(request.method).toBe('DELETE');
    expect(request.params).toEqual([
      ['id', `eq.${NOTE_ID}`],
      ['select', 'id'],
    ]);
    expect(request.headers.prefer).toBe('return=representation');
  });

  it('upsert, new key: a plain insert (on_conflict cannot name a partial unique index)', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok(noteRow(), 201));
    const result = await adapter.upsert(noteInput(), notesTable, {
      conflictField: 'slug',
      onConflict: 'update',
    });
    expect(result.created).toBe(true);
    const request = fake.only();
    expect(request.method).toBe('POST');
    expect(request.params).toEqual([['select', '*']]);
    expect(request.headers.prefer).toBe('return=representation');
  });

  it('upsert, taken key, ignore: insert, then read the live row by the key', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(
      pgError(
        409,
        '23505',
        'duplicate key value violates unique constraint "notes_slug_live_key"',
        'Key (slug)=(first-note) already exists.',
      ),
      ok([noteRow({ title: 'Kept' })]),
    );
    const result = await adapter.upsert(noteInput(), notesTable, {
      conflictField: 'slug',
      onConflict: 'ignore',
    });
    expect(result).toMatchObject({ created: false, record: { title: 'Kept' } });
    expect(fake.requests.map((r) => [r.method, r.params])).toEqual([
      ['POST', [['select', '*']]],
      [
        'GET',
        [
          ['select', '*'],
          ['slug', 'eq.first-note'],
          ['deleted_at', 'is.null'],
        ],
      ],
    ]);
    fake.verify();
  });

  it('upsert, taken key, update: insert, read, then PATCH the given fields of the live row by id', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(
      pgError(
        409,
        '23505',
        'duplicate key value violates unique constraint "x"',
        'Key (slug)=(first-note) already exists.',
      ),
      ok([noteRow()]),
      ok([noteRow({ title: 'New title' })]),
    );
    const result = await adapter.upsert(noteInput({ title: 'New title' }), notesTable, {
      conflictField: 'slug',
      onConflict: 'update',
    });
    expect(result).toMatchObject({ created: false, record: { title: 'New title' } });
    const patch = fake.requests[2];
    expect(patch.method).toBe('PATCH');
    expect(patch.params).toEqual([
      ['id', `eq.${NOTE_ID}`],
      ['deleted_at', 'is.null'],
      ['select', '*'],
    ]);
    const body = patch.body as Record<string, unknown>;
    expect(body).toMatchObject({ title: 'New title' });
    expect(body).toHaveProperty('updated_at');
    // The key already matches; what the caller left out keeps its stored value.
    expect(body).not.toHaveProperty('slug');
    expect(body).not.toHaveProperty('id');
    expect(body).not.toHaveProperty('created_at');
    expect(body).not.toHaveProperty('deleted_at');
    fake.verify();
  });

  it('rpc: POST /rest/v1/rpc/<fn> with the arguments as the body', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok({ moved: 2 }));
    await expect(
      adapter.rpc('transfer_notes', { from_owner: OWNER_ID, to_owner: NOTE_ID }),
    ).resolves.toEqual({
      moved: 2,
    });
    const request = fake.only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/rest/v1/rpc/transfer_notes');
    expect(request.body).toEqual({ from_owner: OWNER_ID, to_owner: NOTE_ID });
  });

  it('rpc refuses a function name that is not an identifier, without a request', async () => {
    const { adapter, fake } = fakeAdapter();
    await expect(adapter.rpc('x?select=*', {})).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      field: 'fn',
    });
    await expect(adapter.rpc('../notes', {})).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    expect(fake.requests).toHaveLength(0);
  });

  it('ping: GET users?select=id&limit=0', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    await adapter.ping();
    const request = fake.only();
    expect(`${request.method} ${request.path}${request.url.search}`).toBe(
      'GET /rest/v1/users?select=id&limit=0',
    );
  });

  it('a filter that matches nothing (empty in-list) sends no request', async () => {
    const { adapter, fake } = fakeAdapter();
    await expect(adapter.findMany({ filters: { slug: [] } }, notesTable)).resolves.toEqual([]);
    await expect(adapter.count({ slug: { in: [] } }, notesTable)).resolves.toBe(0);
    await expect(adapter.findPage({ filters: { slug: [] } }, notesTable)).resolves.toMatchObject({
      total: 0,
      data: [],
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('transactions reject with TransactionNotSupportedException naming both ways out, without a request', async () => {
    const { adapter, fake } = fakeAdapter();
    expect(adapter.capabilities).toEqual({
      transactions: false,
      savepoints: false,
      migrations: false,
      concurrentTransactions: false,
      aggregates: false,
      atomicUpsertMany: false,
      rawSql: false,
    });
    for (const attempt of [
      adapter.transaction(async () => 1),
      adapter.beginTransaction(),
      adapter.commitTransaction(),
      adapter.rollbackTransaction(),
    ]) {
      const error = await rejection(attempt);
      expect(error).toBeInstanceOf(TransactionNotSupportedException);
      expect((error as Error).message).toMatch(/DATABASE_URL/);
      expect((error as Error).message).toMatch(/rpc\(/);
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('uses the anon key when no service key is given', async () => {
    const { adapter, fake } = fakeAdapter({ serviceKey: undefined });
    fake.reply(ok([]));
    await adapter.findMany({}, notesTable);
    expect(fake.only().headers).toMatchObject({
      apikey: ANON_KEY,
      authorization: `Bearer ${ANON_KEY}`,
    });
  });
});

describe('SupabaseAdapter increment (compare and swap)', () => {
  it('reads the counter, PATCHes only while it still holds that value, and retries on a miss', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(
      ok([noteRow({ stars: 3 })]),
      ok([]), // another writer changed stars first: the guarded PATCH matched nothing
      ok([noteRow({ stars: 4 })]),
      ok([noteRow({ stars: 5, title: 'Bumped' })]),
    );
    const result = await adapter.increment(NOTE_ID, 'stars', 1, notesTable, { title: 'Bumped' });
    expect(result).toMatchObject({ stars: 5, title: 'Bumped' });
    const patches = fake.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((p) => p.params.find(([name]) => name === 'stars'))).toEqual([
      ['stars', 'eq.3'],
      ['stars', 'eq.4'],
    ]);
    expect(patches.map((p) => (p.body as Record<string, unknown>).stars)).toEqual([4, 5]);
    expect(patches[1].params).toEqual(
      expect.arrayContaining([
        ['id', `eq.${NOTE_ID}`],
        ['deleted_at', 'is.null'],
      ]),
    );
    fake.verify();
  });

  it('refuses, unsent, a PATCH that would take the counter outside its range', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([noteRow({ stars: 2_147_483_600 })]));
    const error = await rejection(adapter.increment(NOTE_ID, 'stars', 100, notesTable));
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).field).toBe('stars');
    expect(fake.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });
});
