/**
 * probeSupabase outcomes and the user-scoped client.
 *
 * The probe is a GET (`users?select=id&limit=0`), because supabase-js reports a HEAD on a missing
 * table as `{ error: null, status: 204 }` (postgrest-js PostgrestBuilder.ts, workaround for
 * postgrest-js#295) and a network failure as status 0 with code ''. Roles and keys:
 * Supabase docs guides/api/api-keys.mdx; a user's JWT rides as `Authorization: Bearer`, never with
 * the service key on the same client (supabase/auth#965).
 */
import { createClient } from '@supabase/supabase-js';
import { probeSupabase } from '../../src/adapters/supabase';
import {
  ANON_KEY,
  connectionRefused,
  empty,
  fakeAdapter,
  FakePostgrest,
  notesTable,
  ok,
  pgError,
  SERVICE_KEY,
  URL_BASE,
} from './support/fake-postgrest';

function probeWith(...responses: Parameters<FakePostgrest['reply']>): {
  fake: FakePostgrest;
  result: ReturnType<typeof probeSupabase>;
} {
  const fake = new FakePostgrest().reply(...responses);
  return {
    fake,
    result: probeSupabase({ url: URL_BASE, key: SERVICE_KEY, fetch: fake.fetch, timeoutMs: 2000 }),
  };
}

describe('probeSupabase', () => {
  it('ok: one GET users?select=id&limit=0 with the key', async () => {
    const { fake, result } = probeWith(ok([], 200, '*/*'));
    const outcome = await result;
    expect(outcome.ok).toBe(true);
    expect(outcome).toHaveProperty('latencyMs');
    const request = fake.only();
    expect(`${request.method} ${request.path}${request.url.search}`).toBe(
      'GET /rest/v1/users?select=id&limit=0',
    );
    expect(request.headers.apikey).toBe(SERVICE_KEY);
  });

  it.each([
    ['connection refused', connectionRefused(), 'unreachable'],
    [
      '503 from PostgREST',
      pgError(503, 'PGRST002', 'Could not query the database for the schema cache. Retrying.'),
      'unreachable',
    ],
    ['502 from the gateway', { status: 502, body: undefined }, 'unreachable'],
    [
      'gateway 401 Invalid API key',
      { status: 401, body: { message: 'Invalid API key', hint: null } },
      'key-rejected',
    ],
    [
      'PGRST301 bad JWT',
      pgError(401, 'PGRST301', 'Expected 3 parts in JWT; got 2'),
      'key-rejected',
    ],
    ['42501 no grant', pgError(403, '42501', 'permission denied for table users'), 'key-rejected'],
    [
      'PGRST205 missing table (v13+)',
      pgError(404, 'PGRST205', "Could not find the table 'public.users' in the schema cache"),
      'schema-missing',
    ],
    [
      '42P01 missing table (v12)',
      pgError(404, '42P01', 'relation "public.users" does not exist'),
      'schema-missing',
    ],
    [
      '42703 missing column',
      pgError(400, '42703', 'column users.id does not exist'),
      'schema-missing',
    ],
  ] as const)('%s → %s', async (_name, response, reason) => {
    const { fake, result } = probeWith(response);
    const outcome = await result;
    expect(outcome).toMatchObject({ ok: false, reason });
    expect((outcome as { message: string }).message.length).toBeGreaterThan(0);
    // Retries are off: one request whatever the failure.
    expect(fake.requests).toHaveLength(1);
  });

  it('timeout: aborts the request', async () => {
    const fake = new FakePostgrest().reply({ hang: true });
    const outcome = await probeSupabase({
      url: URL_BASE,
      key: SERVICE_KEY,
      fetch: fake.fetch,
      timeoutMs: 20,
    });
    expect(outcome).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('a malformed URL is unreachable, not a throw', async () => {
    await expect(probeSupabase({ url: 'not a url', key: SERVICE_KEY })).resolves.toMatchObject({
      ok: false,
      reason: 'unreachable',
    });
  });

  it('shows why a HEAD would not do: supabase-js reports a HEAD 404 as success', async () => {
    const fake = new FakePostgrest().reply(empty(404));
    const client = createClient(URL_BASE, SERVICE_KEY, {
      auth: { persistSession: false },
      db: { retry: false },
      realtime: { transport: (await import('ws')).default as never },
      global: { fetch: fake.fetch },
    });
    const { error, status } = await client
      .from('users')
      .select('*', { head: true, count: 'exact' });
    expect(error).toBeNull();
    expect(status).toBe(204);
  });
});

describe('user-scoped adapter', () => {
  it('forUser sends the anon key with the user JWT as bearer, never the service key', async () => {
    const { adapter, fake } = fakeAdapter();
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl';
    const user = adapter.forUser(jwt);
    fake.reply(ok([]), ok([]));
    await user.findMany({}, notesTable);
    await adapter.findMany({}, notesTable);
    const [asUser, asServer] = fake.requests;
    expect(asUser.headers).toMatchObject({ apikey: ANON_KEY, authorization: `Bearer ${jwt}` });
    expect(JSON.stringify(asUser.headers)).not.toContain(SERVICE_KEY);
    // The server adapter is unchanged by the user adapter.
    expect(asServer.headers).toMatchObject({
      apikey: SERVICE_KEY,
      authorization: `Bearer ${SERVICE_KEY}`,
    });
  });

  it('forUser needs the anon key and a token-shaped JWT', () => {
    const { adapter } = fakeAdapter({ anonKey: undefined });
    expect(() => adapter.forUser('a.b.c')).toThrow(/anonKey/);
    const { adapter: withAnon } = fakeAdapter();
    expect(() => withAnon.forUser('')).toThrow(/JWT/);
    expect(() => withAnon.forUser('a.b.c\r\nX-Injected: 1')).toThrow(/JWT/);
  });

  it('a 401 PGRST303 for an expired user token is an AuthenticationException', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(pgError(401, 'PGRST303', 'JWT expired'));
    await expect(adapter.forUser('a.b.c').findMany({}, notesTable)).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
    });
  });
});
