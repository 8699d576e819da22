import { ConnectionException, type DatabaseException } from '../../exceptions';
import { isStartupParameterRefusal, mapPostgresError } from './postgres-error.mapper';

/** The first wait between two attempts; it doubles up to {@link MAX_BACKOFF_MS}. */
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2_000;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

/**
 * Runs `check` (one `SELECT 1`) until it succeeds, retrying with exponential backoff while the
 * server is unreachable, for up to `waitMs` in all. Then fails with a ConnectionException that
 * says for how long it was unreachable, with the last driver error as `cause`. Errors that
 * waiting cannot fix are mapped and thrown at once.
 */
export async function waitForServer(
  check: () => Promise<unknown>,
  waitMs: number,
  server: string,
): Promise<void> {
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      await check();
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
      await delay(Math.min(remaining, FIRST_BACKOFF_MS * 2 ** (attempt - 1), MAX_BACKOFF_MS));
    }
  }
}
