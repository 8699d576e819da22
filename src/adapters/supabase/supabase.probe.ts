import { DEFAULT_SUPABASE_TIMEOUT_MS } from './supabase-adapter.options';
import { createSupabaseClient } from './supabase-client.factory';
import type { PostgrestFailure } from './supabase-error.mapper';

/** The table the probe and `ping()` read: every schema of the library has it. */
export const PROBE_TABLE = 'users';

/** What {@link probeSupabase} needs. */
export interface SupabaseProbeOptions {
  url: string;
  /** The key the adapter will use (service or anon). */
  key: string;
  /** Give up after this many milliseconds. Default is 10,000. */
  timeoutMs?: number;
  /** Default is the global fetch. */
  fetch?: typeof fetch;
}

/** Why a probe failed. */
export type SupabaseProbeFailure = 'unreachable' | 'key-rejected' | 'schema-missing' | 'timeout';

/** The outcome of {@link probeSupabase}: failures are returned, never thrown. */
export type SupabaseProbeResult =
  { ok: true; latencyMs: number } | { ok: false; reason: SupabaseProbeFailure; message: string };

/** Message texts of the probe's failures. */
export const SUPABASE_PROBE_MESSAGES = {
  timeout: (ms: number) => `Supabase did not answer within ${ms} ms`,
  unreachable: 'Supabase could not be reached',
  keyRejected: 'Supabase rejected the API key',
  schemaMissing: `The "${PROBE_TABLE}" table is missing: run the migrations on the Supabase project`,
} as const;

function failure(
  reason: SupabaseProbeFailure,
  message: string,
  error?: PostgrestFailure | null,
): SupabaseProbeResult {
  const detail = error?.message ? `: ${error.message}` : '';
  return { ok: false, reason, message: `${message}${detail}` };
}

/**
 * Checks that a Supabase project answers, accepts the key and has the library's schema, with one
 * cheap request: `GET /rest/v1/users?select=id&limit=0`.
 *
 * A GET, not a HEAD: supabase-js reports a HEAD on a missing table as success (204, no error),
 * and a network failure as status 0 with an empty code, so the status and code are inspected.
 * supabase-js retries are off; the timeout aborts the request and its timer is always cleared.
 */
export async function probeSupabase(options: SupabaseProbeOptions): Promise<SupabaseProbeResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SUPABASE_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const started = performance.now();
  try {
    const client = createSupabaseClient({
      url: options.url,
      key: options.key,
      fetch: options.fetch,
    });
    const { error, status } = await client
      .from(PROBE_TABLE)
      .select('id')
      .limit(0)
      .abortSignal(controller.signal);
    if (controller.signal.aborted)
      return failure('timeout', SUPABASE_PROBE_MESSAGES.timeout(timeoutMs));
    if (!error && status >= 200 && status < 300) {
      return { ok: true, latencyMs: performance.now() - started };
    }
    const code = error?.code ?? '';
    if (status === 0 || status >= 500)
      return failure('unreachable', SUPABASE_PROBE_MESSAGES.unreachable, error);
    if (status === 401 || status === 403 || code.startsWith('PGRST3') || code === '42501') {
      return failure('key-rejected', SUPABASE_PROBE_MESSAGES.keyRejected, error);
    }
    // A missing table (PGRST205 / 42P01, 404) or another schema mismatch (400 42703: no column).
    return failure('schema-missing', SUPABASE_PROBE_MESSAGES.schemaMissing, error);
  } catch (error) {
    // createClient throws on a malformed URL: nothing can be reached there.
    return failure(
      'unreachable',
      `${SUPABASE_PROBE_MESSAGES.unreachable}: ${(error as Error).message}`,
    );
  } finally {
    clearTimeout(timer);
  }
}
