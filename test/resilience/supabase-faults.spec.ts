import { SupabaseAdapter } from '../../src/adapters/supabase';
import { ConnectionException } from '../../src/exceptions';
import { UserRepository } from '../../src/repositories';
import { type ResilienceOptions, withResilience } from '../../src/resilience';
import { usersTable } from '../../src/schema';
import { faultyFetch, type FetchFault } from '../support/faults/faulty-fetch';
import { userInput } from '../repositories/support/billing-fixtures';

const TIMEOUT_MS = 150;
const OPTIONS: ResilienceOptions = {
  retry: { backoffBaseMs: 20, backoffMaxMs: 40 },
  circuitBreaker: { failureThreshold: 100 },
};
const unavailable: FetchFault = {
  status: 503,
  body: { code: 'PGRST000', message: 'Could not connect' },
};

function supabase(script: readonly FetchFault[], fallback?: Parameters<typeof faultyFetch>[1]) {
  const fake = faultyFetch(script, fallback);
  const real = new SupabaseAdapter({
    url: 'http://127.0.0.1:54321',
    serviceKey: 'service-role-key',
    fetch: fake.fetch,
    timeoutMs: TIMEOUT_MS,
  });
  return { fake, adapter: withResilience(real, OPTIONS) };
}

/** Runs `call` and returns its rejection (or undefined) and how long it took. */
async function timed(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - started };
}

describe('Supabase: faults at the fetch boundary', () => {
  it('retries a read answered 503 and succeeds on the third attempt', async () => {
    const { fake, adapter } = supabase([unavailable, unavailable]);
    await expect(adapter.findMany({}, usersTable)).resolves.toEqual([]);
    expect(fake.urls).toHaveLength(3);
  });

  it('gives a ConnectionException after 3 attempts when 503 persists, quickly', async () => {
    const { fake, adapter } = supabase([unavailable, unavailable, unavailable, unavailable]);
    const { error, ms } = await timed(() => adapter.findMany({}, usersTable));
    expect(error).toBeInstanceOf(ConnectionException);
    expect(fake.urls).toHaveLength(3);
    expect(ms).toBeLessThan(2_000);
  });

  it('retries a read whose connection was reset (fetch failed, ECONNRESET), then gives up', async () => {
    const recovered = supabase([{ network: 'ECONNRESET' }]);
    await expect(recovered.adapter.findMany({}, usersTable)).resolves.toEqual([]);
    expect(recovered.fake.urls).toHaveLength(2);

    const reset: FetchFault = { network: 'ECONNRESET' };
    const broken = supabase([reset, reset, reset, reset]);
    const { error, ms } = await timed(() =>
      broken.adapter.findById('0b5c2f7e-7a43-4f5e-9d0e-2d7c1b1a9a01', usersTable),
    );
    expect(error).toBeInstanceOf(ConnectionException);
    expect(broken.fake.urls).toHaveLength(3);
    expect(ms).toBeLessThan(2_000);
  });

  it('retries a hanging read twice after its timeout, then fails within the configured time', async () => {
    const hang: FetchFault = { hang: true };
    const { fake, adapter } = supabase([hang, hang, hang, hang]);
    const { error, ms } = await timed(() => adapter.findMany({}, usersTable));
    expect(error).toBeInstanceOf(ConnectionException);
    expect(fake.urls).toHaveLength(3);
    expect(adapter.stats().retries.timeout).toBe(2);
    // Three attempts of TIMEOUT_MS each, retried immediately, plus scheduling slack.
    expect(ms).toBeGreaterThanOrEqual(3 * TIMEOUT_MS - 20);
    expect(ms).toBeLessThan(3 * TIMEOUT_MS + 1_500);
  });

  it('does not resend an insert whose connection was reset (it may have landed)', async () => {
    const { fake, adapter } = supabase([{ network: 'ECONNRESET' }]);
    const users = new UserRepository(adapter);
    await expect(users.create(userInput())).rejects.toBeInstanceOf(ConnectionException);
    expect(fake.methods.filter((m) => m === 'POST')).toHaveLength(1);
  });

  it('does not resend an insert that timed out', async () => {
    const { fake, adapter } = supabase([{ hang: true }]);
    const users = new UserRepository(adapter);
    await expect(users.create(userInput())).rejects.toBeInstanceOf(ConnectionException);
    expect(fake.methods.filter((m) => m === 'POST')).toHaveLength(1);
  });

  it('resends an insert whose connection was refused (nothing was sent), and it is sent once more only', async () => {
    const echo = (request: { method: string; body: unknown }): FetchFault =>
      request.method === 'POST'
        ? { status: 201, body: request.body } // `.single()` asks for one object
        : { status: 200, body: [] };
    const { fake, adapter } = supabase([{ network: 'ECONNREFUSED' }], echo);
    const users = new UserRepository(adapter);
    const input = userInput();
    await expect(users.create(input)).resolves.toMatchObject({ email: input.email });
    expect(fake.methods.filter((m) => m === 'POST')).toHaveLength(2);
  });
});
