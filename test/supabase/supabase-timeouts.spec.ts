/**
 * Supabase requests are bounded by `timeoutMs` from the first byte sent to the last byte of the
 * body read, against a real HTTP server on 127.0.0.1 that answers late or stalls half-way (the
 * global fetch and supabase-js run for real). A PostgREST statement timeout (SQLSTATE 57014,
 * HTTP 500 on every PostgREST version: class 57 "operator intervention") is a timeout too.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeSupabase, SupabaseAdapter } from '../../src/adapters/supabase';
import { ConnectionException, type DatabaseException } from '../../src/exceptions';
import { classifyFailure, withResilience } from '../../src/resilience';
import { fakeAdapter, noteInput, notesTable, pgError, SERVICE_KEY } from './support/fake-postgrest';

const TIMEOUT_MS = 150;
/** Longer than any bounded request here: a call still pending after it is hanging. */
const HANGING_MS = 3_000;

/** A local HTTP server that answers every request with `handle`. */
interface LocalServer {
  url: string;
  /** Every request, and whether the connection it came on has closed since. */
  requests: Array<{ method: string; connectionClosed: boolean }>;
  close(): Promise<void>;
}

async function startServer(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<LocalServer> {
  const requests: LocalServer['requests'] = [];
  const server = createServer((req, res) => {
    const request = { method: req.method ?? '', connectionClosed: false };
    requests.push(request);
    req.socket.once('close', () => (request.connectionClosed = true));
    handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends PostgREST's headers and the start of a JSON array, then nothing more. */
function stallAfterHeaders(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Range': '0-0/*',
  });
  res.write('[{"id":"0b5f6c1e-8d4a-4c39-9a57-2f0e4c1d9a10","title":"par');
}

/** Reads the request and never answers. */
function neverAnswer(req: IncomingMessage): void {
  req.resume();
}

/** Settles with the rejection of `call` (or `'resolved'`, or `'hanging'`) and the time it took. */
async function outcomeOf(call: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hanging = new Promise((resolve) => {
    timer = setTimeout(() => resolve('hanging'), HANGING_MS);
  });
  try {
    const error = await Promise.race([
      call.then(
        () => 'resolved',
        (e: unknown) => e,
      ),
      hanging,
    ]);
    return { error, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(condition: () => boolean, ms = 1_000): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!condition() && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return condition();
}

function adapterFor(server: LocalServer, timeoutMs = TIMEOUT_MS): SupabaseAdapter {
  return new SupabaseAdapter({ url: server.url, serviceKey: SERVICE_KEY, timeoutMs });
}

function expectTimedOut(error: unknown): void {
  expect(error).toBeInstanceOf(ConnectionException);
  const e = error as ConnectionException;
  expect(e.retryable).toBe(true);
  expect(e.details).toMatchObject({ timeout: true });
  expect(e.message).toMatch(/timed out/);
  expect(classifyFailure(e)).toBe('timeout');
}

describe('Supabase: every request is bounded by timeoutMs, body included (a real local server)', () => {
  let server: LocalServer | undefined;
  // Node loads its fetch implementation on the first call: tens of milliseconds, several times
  // that on a busy machine, which would eat the first test's whole timeoutMs before its request
  // is even sent. One request beforehand keeps that out of every test's measured time.
  beforeAll(async () => {
    const warmUp = await startServer((_req, res) => res.end());
    try {
      await (await fetch(warmUp.url)).text();
    } finally {
      await warmUp.close();
    }
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('aborts a response whose body stalls after the headers: a retryable ConnectionException that says it timed out', async () => {
    server = await startServer(stallAfterHeaders);
    const { error, ms } = await outcomeOf(adapterFor(server).findMany({}, notesTable));
    expectTimedOut(error);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(ms).toBeLessThan(TIMEOUT_MS + 1_500);
    expect(server.requests).toHaveLength(1);
    // The stalled connection is closed, not left open.
    await expect(waitFor(() => server!.requests[0].connectionClosed)).resolves.toBe(true);
  });

  it('aborts a request whose headers never come, the same way', async () => {
    server = await startServer(neverAnswer);
    const { error, ms } = await outcomeOf(adapterFor(server).findMany({}, notesTable));
    expectTimedOut(error);
    expect(ms).toBeLessThan(TIMEOUT_MS + 1_500);
    await expect(waitFor(() => server!.requests[0].connectionClosed)).resolves.toBe(true);
  });

  it('bounds writes too, and a timed-out insert is not sent again (it may have landed)', async () => {
    server = await startServer(stallAfterHeaders);
    const adapter = withResilience(adapterFor(server));
    const { error } = await outcomeOf(adapter.create(noteInput(), notesTable));
    expectTimedOut(error);
    expect(server.requests.map((r) => r.method)).toEqual(['POST']);
  });

  it('retries a read whose body stalled twice, as a timeout, then fails within the configured time', async () => {
    server = await startServer(stallAfterHeaders);
    const adapter = withResilience(adapterFor(server));
    const { error, ms } = await outcomeOf(adapter.findMany({}, notesTable));
    expectTimedOut(error);
    expect(server.requests).toHaveLength(3);
    expect(adapter.stats().retries.timeout).toBe(2);
    expect(ms).toBeLessThan(3 * TIMEOUT_MS + 1_500);
  });

  it('answers normally when the whole body arrives in time, even slowly', async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Range': '*/*' });
      res.write('[');
      setTimeout(() => res.end(']'), TIMEOUT_MS);
    });
    // The body takes TIMEOUT_MS to arrive, within a budget ten times that: the margin is for a
    // loaded machine (a third of the budget was not always enough in CI), not for the adapter.
    const { error } = await outcomeOf(adapterFor(server, 10 * TIMEOUT_MS).findMany({}, notesTable));
    expect(error).toBe('resolved');
  });

  it('the boot probe reports a stalled body as a timeout', async () => {
    server = await startServer(stallAfterHeaders);
    const result = await probeSupabase({
      url: server.url,
      key: SERVICE_KEY,
      timeoutMs: TIMEOUT_MS,
    });
    expect(result).toMatchObject({ ok: false, reason: 'timeout' });
  });
});

describe('Supabase: a PostgREST statement timeout (57014) is a timeout, not a lost connection', () => {
  const statementTimeout = () =>
    pgError(500, '57014', 'canceling statement due to statement timeout');

  it('maps 500 57014 to a retryable ConnectionException with details.timeout', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(statementTimeout());
    const error = await adapter.findMany({}, notesTable).catch((e: unknown) => e);
    expectTimedOut(error);
    expect((error as DatabaseException).details).toMatchObject({ sqlState: '57014' });
    // The server's text stays on `cause`, for logs.
    expect((error as Error).message).not.toMatch(/canceling/);
  });

  it('retries reads twice after a statement timeout and never resends an insert', async () => {
    const reads = fakeAdapter();
    reads.fake.reply(statementTimeout(), statementTimeout(), statementTimeout());
    const resilientReads = withResilience(reads.adapter);
    await expect(resilientReads.findMany({}, notesTable)).rejects.toBeInstanceOf(
      ConnectionException,
    );
    expect(reads.fake.requests).toHaveLength(3);
    expect(resilientReads.stats().retries).toMatchObject({ timeout: 2, connection: 0 });

    const writes = fakeAdapter();
    writes.fake.reply(statementTimeout());
    await expect(
      withResilience(writes.adapter).create(noteInput(), notesTable),
    ).rejects.toBeInstanceOf(ConnectionException);
    writes.fake.verify();
    expect(writes.fake.requests).toHaveLength(1);
  });
});
