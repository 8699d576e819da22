/**
 * PostgREST error responses → library exceptions. Bodies and statuses as PostgREST sends them:
 * docs/references/errors.rst and src/library/PostgREST/Error.hs (codes, HTTP statuses), with the
 * messages of its test suite (test/spec/Feature/Query/InsertSpec.hs for 23505/23503/23502,
 * SingularSpec.hs for PGRST116, ErrorSpec.hs for PGRST205, AuthSpec.hs for JWT errors), and both
 * spellings where a version changed them (PGRST205 from v13, 42P01 before; PGRST303 from v13,
 * PGRST301 for every JWT error before). Gateway errors have no code (Supabase's API gateway).
 */
import {
  AuthenticationException,
  ConnectionException,
  DatabaseException,
  ForeignKeyException,
  PermissionException,
  QueryException,
  RecordNotFoundException,
  UniqueConstraintException,
  ValidationException,
} from '../../src/exceptions';
import {
  type CannedResponse,
  connectionRefused,
  empty,
  fakeAdapter,
  NOTE_ID,
  noteInput,
  notesTable,
  ok,
  pgError,
  rejection,
} from './support/fake-postgrest';

async function createFailure(response: CannedResponse): Promise<DatabaseException> {
  const { adapter, fake } = fakeAdapter();
  fake.reply(response);
  const error = await rejection(adapter.create(noteInput(), notesTable));
  fake.verify();
  expect(error).toBeInstanceOf(DatabaseException);
  return error as DatabaseException;
}

describe('Supabase error mapping', () => {
  it.each<[string, CannedResponse, new (...args: never[]) => DatabaseException]>([
    [
      '23503 foreign key',
      pgError(
        409,
        '23503',
        'insert or update on table "notes" violates foreign key constraint "notes_owner_id_fkey"',
        'Key (owner_id)=(7d2c9e44-1b3a-4f5e-8c6d-9e0f1a2b3c4d) is not present in table "users".',
      ),
      ForeignKeyException,
    ],
    [
      '22P02 bad input',
      pgError(400, '22P02', 'invalid input syntax for type uuid: "abc"'),
      ValidationException,
    ],
    [
      '23514 check',
      pgError(
        400,
        '23514',
        'new row for relation "notes" violates check constraint "notes_stars_check"',
      ),
      ValidationException,
    ],
    [
      '42501 RLS (anon: 401)',
      pgError(401, '42501', 'new row violates row-level security policy for table "notes"'),
      PermissionException,
    ],
    [
      '42501 privileges (403)',
      pgError(403, '42501', 'permission denied for table notes'),
      PermissionException,
    ],
    [
      'PGRST301 bad JWT',
      pgError(401, 'PGRST301', 'Expected 3 parts in JWT; got 2'),
      AuthenticationException,
    ],
    ['PGRST301 expired (v12)', pgError(401, 'PGRST301', 'JWT expired'), AuthenticationException],
    ['PGRST303 expired (v13+)', pgError(401, 'PGRST303', 'JWT expired'), AuthenticationException],
    [
      'PGRST302 anonymous disabled',
      pgError(401, 'PGRST302', 'Anonymous access is disabled'),
      AuthenticationException,
    ],
    [
      'gateway: Invalid API key',
      {
        status: 401,
        body: {
          message: 'Invalid API key',
          hint: 'Double check your Supabase `anon` or `service_role` API key.',
        },
      },
      AuthenticationException,
    ],
    [
      'gateway: No API key',
      { status: 401, body: { message: 'No API key found in request', hint: null } },
      AuthenticationException,
    ],
    [
      'PGRST205 missing table (v13+)',
      pgError(404, 'PGRST205', "Could not find the table 'public.notes' in the schema cache"),
      QueryException,
    ],
    [
      '42P01 missing table (v12)',
      pgError(404, '42P01', 'relation "public.notes" does not exist'),
      QueryException,
    ],
    [
      'PGRST204 unknown column',
      pgError(400, 'PGRST204', "Could not find the 'x' column of 'notes' in the schema cache"),
      QueryException,
    ],
    [
      'PGRST100 parse error',
      pgError(400, 'PGRST100', 'failed to parse logic tree'),
      QueryException,
    ],
    ['P0001 raise', pgError(400, 'P0001', 'custom failure'), QueryException],
    [
      '503 schema cache',
      pgError(503, 'PGRST002', 'Could not query the database for the schema cache. Retrying.'),
      ConnectionException,
    ],
    ['502 gateway, not JSON', { status: 502, body: undefined }, ConnectionException],
    ['500 internal', pgError(500, 'XX000', 'internal error'), ConnectionException],
    ['fetch failure (status 0, code "")', connectionRefused(), ConnectionException],
  ])('%s', async (_name, response, Expected) => {
    const error = await createFailure(response);
    expect(error).toBeInstanceOf(Expected);
    expect(error.cause).toBeDefined();
    if (Expected === ConnectionException) expect(error.retryable).toBe(true);
    else expect(error.retryable).toBe(false);
  });

  it('keeps the PostgREST error object as cause', async () => {
    const error = await createFailure(
      pgError(400, '22P02', 'invalid input syntax for type uuid: "abc"', null, 'a hint'),
    );
    expect(error.cause).toEqual({
      code: '22P02',
      details: null,
      hint: 'a hint',
      message: 'invalid input syntax for type uuid: "abc"',
    });
    // The caller-facing message is a fixed text: PostgREST's can carry the rejected value.
    expect(error.message).not.toContain('abc');
  });

  it('23505 names the property from details "Key (col)=(…)"', async () => {
    const error = await createFailure(
      pgError(
        409,
        '23505',
        'duplicate key value violates unique constraint "notes_slug_live_idx"',
        'Key (slug)=(first-note) already exists.',
      ),
    );
    expect(error).toBeInstanceOf(UniqueConstraintException);
    expect(error).toMatchObject({ table: 'notes', field: 'slug', code: 'UNIQUE_VIOLATION' });
  });

  it('23505 without details falls back to the constraint name', async () => {
    const error = await createFailure(
      pgError(409, '23505', 'duplicate key value violates unique constraint "notes_slug_key"'),
    );
    expect(error).toMatchObject({ field: 'slug' });
  });

  it('23502 not-null names the property from the message', async () => {
    const error = await createFailure(
      pgError(
        400,
        '23502',
        'null value in column "owner_id" of relation "notes" violates not-null constraint',
        'Failing row contains (…).',
      ),
    );
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).field).toBe('ownerId');
  });

  it('a timeout aborts the request and is a retryable ConnectionException', async () => {
    const { adapter, fake } = fakeAdapter({ timeoutMs: 20 });
    fake.reply({ hang: true });
    const error = await rejection(adapter.findMany({}, notesTable));
    expect(error).toBeInstanceOf(ConnectionException);
    expect((error as Error).message).toMatch(/timed out/);
    expect((error as ConnectionException).retryable).toBe(true);
  });

  it('marks a refused connection as never sent, for the retry policy', async () => {
    const error = await createFailure(connectionRefused());
    expect(error).toBeInstanceOf(ConnectionException);
    expect(error.details).toMatchObject({ sent: false, timeout: false });
  });

  it('supabase-js retries are off: a failing GET is sent once', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(
      pgError(503, 'PGRST002', 'Could not query the database for the schema cache. Retrying.'),
    );
    await expect(adapter.findMany({}, notesTable)).rejects.toBeInstanceOf(ConnectionException);
    fake.reply(connectionRefused());
    await expect(adapter.count(undefined, notesTable)).rejects.toBeInstanceOf(ConnectionException);
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests.every((r) => r.headers['x-retry-count'] === undefined)).toBe(true);
  });

  describe('PGRST116 and empty results', () => {
    it.each([
      ['v13+', 'Cannot coerce the result to a single JSON object', 'The result contains 0 rows'],
      [
        'v11-12',
        'JSON object requested, multiple (or no) rows returned',
        'The result contains 0 rows',
      ],
      [
        'v10',
        'JSON object requested, multiple (or no) rows returned',
        'Results contain 0 rows, application/vnd.pgrst.object+json requires 1 row',
      ],
    ])('findById maps a 406 PGRST116 (%s) to null', async (_v, message, details) => {
      const { adapter, fake } = fakeAdapter();
      fake.reply(pgError(406, 'PGRST116', message, details));
      await expect(adapter.findById(NOTE_ID, notesTable)).resolves.toBeNull();
    });

    it('findById of no rows is null', async () => {
      const { adapter, fake } = fakeAdapter();
      fake.reply(ok([]));
      await expect(adapter.findById(NOTE_ID, notesTable)).resolves.toBeNull();
    });

    it('findById refuses a non-UUID id without a request', async () => {
      const { adapter, fake } = fakeAdapter();
      await expect(adapter.findById('nope', notesTable)).rejects.toMatchObject({ field: 'id' });
      expect(fake.requests).toHaveLength(0);
    });

    // PostgREST answers a mutation that matched nothing (missing, soft-deleted, or hidden by RLS)
    // with success and [] (postgrest-js#353): the adapter turns that into RecordNotFoundException.
    it.each([
      [
        'update',
        (a: ReturnType<typeof fakeAdapter>['adapter']) =>
          a.update(NOTE_ID, { title: 'x' }, notesTable),
      ],
      [
        'softDelete',
        (a: ReturnType<typeof fakeAdapter>['adapter']) => a.softDelete(NOTE_ID, notesTable),
      ],
      ['restore', (a: ReturnType<typeof fakeAdapter>['adapter']) => a.restore(NOTE_ID, notesTable)],
      [
        'hardDelete',
        (a: ReturnType<typeof fakeAdapter>['adapter']) => a.hardDelete(NOTE_ID, notesTable),
      ],
    ])('%s of no row is RecordNotFoundException', async (_name, call) => {
      const { adapter, fake } = fakeAdapter();
      fake.reply(ok([]));
      const error = await rejection(call(adapter));
      expect(error).toBeInstanceOf(RecordNotFoundException);
      expect(error).toMatchObject({ table: 'notes', id: NOTE_ID });
    });

    it('hardDelete of a referenced row is a ForeignKeyException', async () => {
      const { adapter, fake } = fakeAdapter();
      fake.reply(
        pgError(
          409,
          '23503',
          'update or delete on table "notes" violates foreign key constraint "x" on table "y"',
        ),
      );
      await expect(adapter.hardDelete(NOTE_ID, notesTable)).rejects.toBeInstanceOf(
        ForeignKeyException,
      );
    });
  });

  describe('counts', () => {
    it('a HEAD 404 (missing table) comes back from supabase-js as 204 without error: still an error', async () => {
      const { adapter, fake } = fakeAdapter();
      fake.reply(empty(404));
      await expect(adapter.count(undefined, notesTable)).rejects.toBeInstanceOf(QueryException);
    });

    it('a bodiless HEAD 401 is an AuthenticationException, 403 a PermissionException', async () => {
      const { adapter, fake } = fakeAdapter();
      fake.reply(empty(401), empty(403));
      await expect(adapter.count(undefined, notesTable)).rejects.toBeInstanceOf(
        AuthenticationException,
      );
      await expect(adapter.count(undefined, notesTable)).rejects.toBeInstanceOf(
        PermissionException,
      );
    });

    it('findPage past the end (416 PGRST103) is an empty page with the total from a count', async () => {
      const { adapter, fake } = fakeAdapter();
      fake.reply(
        pgError(
          416,
          'PGRST103',
          'Requested range not satisfiable',
          'An offset of 40 was requested, but there are only 3 rows.',
        ),
        empty(200, '*/3'),
      );
      const page = await adapter.findPage({ pagination: { page: 3, limit: 20 } }, notesTable);
      expect(page).toEqual({
        data: [],
        total: 3,
        page: 3,
        limit: 20,
        totalPages: 1,
        hasNext: false,
        hasPrevious: true,
      });
      expect(fake.requests.map((r) => r.method)).toEqual(['GET', 'HEAD']);
    });
  });

  describe('upsert', () => {
    it('a unique clash on another field is thrown, not treated as "exists"', async () => {
      const { adapter, fake } = fakeAdapter();
      fake.reply(
        pgError(
          409,
          '23505',
          'duplicate key value violates unique constraint "notes_pkey"',
          `Key (id)=(${NOTE_ID}) already exists.`,
        ),
      );
      const error = await rejection(
        adapter.upsert(noteInput(), notesTable, { conflictField: 'slug', onConflict: 'ignore' }),
      );
      expect(error).toBeInstanceOf(UniqueConstraintException);
      expect(error).toMatchObject({ field: 'id' });
      fake.verify();
    });

    it('a row that vanished between the insert and the read is inserted again', async () => {
      const { adapter, fake } = fakeAdapter();
      const clash = pgError(
        409,
        '23505',
        'duplicate key value violates unique constraint "x"',
        'Key (slug)=(first-note) already exists.',
      );
      fake.reply(clash, ok([]), (request) => ok(request.body, 201));
      const result = await adapter.upsert(noteInput(), notesTable, {
        conflictField: 'slug',
        onConflict: 'update',
      });
      expect(result.created).toBe(true);
      expect(fake.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'POST']);
    });

    it('refuses a conflict field that is not unique', async () => {
      const { adapter } = fakeAdapter();
      await expect(
        adapter.upsert(noteInput(), notesTable, { conflictField: 'title', onConflict: 'ignore' }),
      ).rejects.toMatchObject({ field: 'conflictField' });
    });
  });

  it('rpc errors are mapped (P0001 from RAISE)', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(pgError(400, 'P0001', 'not enough stars'));
    await expect(adapter.rpc('spend_stars', { n: 5 })).rejects.toBeInstanceOf(QueryException);
  });

  it('a closed adapter refuses calls without a request; close twice is fine', async () => {
    const { adapter, fake } = fakeAdapter();
    await adapter.close();
    await adapter.close();
    await expect(adapter.findMany({}, notesTable)).rejects.toBeInstanceOf(ConnectionException);
    expect(fake.requests).toHaveLength(0);
  });
});
