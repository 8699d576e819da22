import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { ConnectionException, type DatabaseException } from '../../exceptions';
import { poolConfig, type ResolvedPostgresOptions } from './postgres-adapter.options';
import { isStartupParameterRefusal, mapPostgresError } from './postgres-error.mapper';

/** The first wait between two attempts; it doubles up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;

/**
 * How long after an attempt's limit node-postgres' own connect timer closes its socket, once
 * the attempt has been given up: the socket is then destroyed, not left to a graceful end that
 * a server which never answers would never complete.
 */
const SOCKET_CLEANUP_MS = 50;

/** The error of an attempt that got no answer in time; ETIMEDOUT makes it a retryable one. */
function noAnswer(limitMs: number): Error {
  return Object.assign(new Error(`No answer within ${limitMs} ms`), { code: 'ETIMEDOUT' });
}

/**
 * One attempt to reach the server as the pool would (same URL, TLS and startup parameters): a
 * connection of its own and a `SELECT 1`, within `limitMs` in all (0: no limit), then closed.
 * It is not a pooled client, so an attempt given up at the limit leaves nothing for the pool
 * to wait for when the adapter is closed.
 */
export async function pingServer(
  settings: ResolvedPostgresOptions,
  limitMs: number,
): Promise<void> {
  const client = new Client({
    ...poolConfig(settings),
    connectionTimeoutMillis: limitMs > 0 ? limitMs + SOCKET_CLEANUP_MS : 0,
  });
  // Failures are the attempt's to report; an error event with no listener would crash.
  client.on('error', () => undefined);
  const attempt = client.connect().then(() => client.query('SELECT 1'));
  attempt.catch(() => undefined);
  const timer = new AbortController();
  try {
    if (limitMs === 0) {
      await attempt;
      return;
    }
    await Promise.race([
      attempt,
      sleep(limitMs, undefined, { signal: timer.signal }).then(() => {
        throw noAnswer(limitMs);
      }),
    ]);
  } finally {
    timer.abort();
    void client.end();
  }
}

/**
 * Whether a failed first contact may succeed later: the server is down, starting up, out of
 * connection slots, or a pooler cannot reach it (PgBouncer says so with 08P01). A refused
 * password, a missing database or a refused startup parameter will not change by waiting.
 */
function worthWaiting(error: unknown, mapped: DatabaseException): boolean {
  return (
    mapped instanceof ConnectionException && mapped.retryable && !isStartupParameterRefusal(error)
  );
}

/** `host:port` of a connection string, for messages: never the user or the password. */
export function describeServer(connectionString: string): string {
  try {
    const { hostname, port } = new URL(connectionString);
    return `PostgreSQL at ${hostname}:${port || '5432'}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** How {@link waitForServer} waits. */
export interface ServerWait {
  /** How long to keep trying in all, in ms; 0: one attempt. */
  waitMs: number;
  /** The longest one attempt may take, in ms (the pool's `connectionTimeoutMillis`); 0: none. */
  attemptLimitMs: number;
  /** How the server is named in messages ({@link describeServer}). */
  server: string;
}

/**
 * Runs `check` (one attempt to reach the server, such as {@link pingServer}) until it succeeds,
 * retrying with exponential backoff while the server is unreachable, for up to `waitMs` in all.
 * Each attempt is given what is left of the wait as its limit (at most `attemptLimitMs`), so a
 * server that never answers costs `waitMs`, not a whole connection timeout more. Then fails with
 * a ConnectionException that says for how long it was unreachable, with the last driver error
 * as `cause`. Errors that waiting cannot fix are mapped and thrown at once.
 */
export async function waitForServer(
  check: (limitMs: number) => Promise<unknown>,
  { waitMs, attemptLimitMs, server }: ServerWait,
): Promise<void> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    const left = waitMs - (Date.now() - started);
    const limitMs =
      waitMs > 0
        ? Math.max(1, attemptLimitMs > 0 ? Math.min(left, attemptLimitMs) : left)
        : attemptLimitMs;
    try {
      await check(limitMs);
      return;
    } catch (error) {
      const mapped = mapPostgresError(error);
      if (!worthWaiting(error, mapped)) throw mapped;
      const waited = Date.now() - started;
      const remaining = waitMs - waited;
      if (remaining <= 0) {
        const code = (error as { code?: unknown }).code;
        const what = [
          `${attempt} attempt${attempt === 1 ? '' : 's'}`,
          ...(typeof code === 'string' ? [`last error ${code}`] : []),
        ].join(', ');
        throw new ConnectionException(
          `${server} was unreachable${waitMs > 0 ? ` for ${waited} ms` : ''} (${what})`,
          {
            cause: error,
            details: { ...mapped.details, unreachableMs: waited, attempts: attempt },
          },
        );
      }
      await sleep(Math.min(remaining, FIRST_BACKOFF_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS));
    }
  }
}
