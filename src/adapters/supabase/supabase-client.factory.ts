import type * as SupabaseJs from '@supabase/supabase-js';
import type { SupabaseClient, SupabaseClientOptions } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { durationProblem } from '../../config/duration-option';
import { ValidationException } from '../../exceptions';
import {
  DEFAULT_SUPABASE_TIMEOUT_MS,
  type SupabaseAdapterOptions,
} from './supabase-adapter.options';

/** What {@link createSupabaseClient} needs. */
export interface SupabaseClientSettings {
  url: string;
  /** The API key sent as `apikey` (and as the bearer token when no user token is given). */
  key: string;
  /** A user's JWT, sent as `Authorization: Bearer <jwt>` so row-level security applies. Default is none. */
  userJwt?: string;
  /** Default is the global fetch. */
  fetch?: typeof fetch;
  /**
   * Aborts each request that has not been answered in full, body included, after this many
   * milliseconds (see {@link boundedFetch}), a whole number up to 2^31 - 1: a longer one is
   * refused with a ValidationException, not silently dropped. Default is none; so is 0.
   */
  timeoutMs?: number;
}

/** The name of the error a request bounded by {@link boundedFetch} fails with when time runs out. */
export const REQUEST_TIMEOUT_ERROR = 'TimeoutError';

/**
 * Wraps `base` so that each request settles within `timeoutMs`, from sending it to reading the
 * last byte of its body, or rejects with a `TimeoutError` DOMException (and aborts the request,
 * which closes its connection).
 *
 * supabase-js' own `timeout` clears its timer as soon as the headers arrive, so a body that
 * stalls half-way would hang the call forever. Here the body is read within the deadline and
 * handed on as a complete Response. That buffers every body whole in memory, with no streaming:
 * supabase-js reads every body whole anyway (`response.text()`, then JSON.parse), so a page
 * costs what it cost before, and pages are bounded by `maxPageSize`; a caller that reads large
 * bodies through this fetch holds each one in memory at once. A signal the caller gives
 * (`abortSignal()`) still aborts the request.
 */
export function boundedFetch(base: typeof fetch, timeoutMs: number): typeof fetch {
  return async (input, init) => {
    const controller = new AbortController();
    const callerSignal = init?.signal ?? undefined;
    const forwardAbort = () => controller.abort(callerSignal?.reason);
    if (callerSignal?.aborted) forwardAbort();
    else callerSignal?.addEventListener('abort', forwardAbort, { once: true });
    // Rejects once the request is aborted, whether the wrapped fetch heeds its signal or not.
    const stopped = new Promise<never>((_, reject) => {
      const stop = () => reject(controller.signal.reason);
      if (controller.signal.aborted) stop();
      else controller.signal.addEventListener('abort', stop, { once: true });
    });
    const timer = setTimeout(() => {
      const message = `The request was not answered in full within ${timeoutMs} ms`;
      controller.abort(new DOMException(message, REQUEST_TIMEOUT_ERROR));
    }, timeoutMs);
    try {
      const response = await Promise.race([
        base(input, { ...init, signal: controller.signal }),
        stopped,
      ]);
      const body = await Promise.race([response.arrayBuffer(), stopped]);
      return new Response(body.byteLength === 0 ? null : body, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', forwardAbort);
    }
  };
}

// `ws` does what realtime needs; only its DOM-style event typings differ from the interface.
const WS_TRANSPORT = WebSocket as unknown as NonNullable<
  NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']
>;

/**
 * Builds a supabase-js client for server use: no session storage, no token refresh, no URL
 * sniffing, schema `public`, no built-in retries, and each request bounded by `timeoutMs`.
 *
 * Retries are off because supabase-js would retry GET/HEAD three times with 1/2/4 s waits on its
 * own, hidden from the library's retry policy and circuit breaker, and stretching a failing read
 * to about 7 s. The `ws` transport is given because supabase-js 2.119 on Node 20 throws in
 * createClient without a native WebSocket; no socket is opened unless realtime is used.
 */
export function createSupabaseClient(settings: SupabaseClientSettings): SupabaseClient {
  // Loaded on first use: supabase-js prints a Node 20 deprecation warning when imported, which
  // applications on SQLite or Postgres should never see.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createClient } = require('@supabase/supabase-js') as typeof SupabaseJs;
  // The global fetch is looked up per request, as supabase-js does, so a replaced one is used.
  const base = settings.fetch ?? ((input, init) => fetch(input, init));
  const { timeoutMs } = settings;
  const problem = timeoutMs === undefined ? undefined : durationProblem(timeoutMs, 0);
  if (problem !== undefined) {
    throw new ValidationException(`SupabaseAdapterOptions.timeoutMs ${problem}`, 'timeoutMs');
  }
  const timed = timeoutMs ? boundedFetch(base, timeoutMs) : settings.fetch;
  return createClient(settings.url, settings.key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // No `timeout` here: supabase-js' timer stops at the headers; boundedFetch covers the body.
    db: { schema: 'public', retry: false },
    realtime: { transport: WS_TRANSPORT },
    global: {
      ...(timed ? { fetch: timed } : {}),
      ...(settings.userJwt ? { headers: { Authorization: `Bearer ${settings.userJwt}` } } : {}),
    },
  });
}

/**
 * The client an adapter sends through, from checked options: the service key when given, else the
 * anon key; with a user's JWT, the anon key always.
 */
export function clientFromOptions(
  options: SupabaseAdapterOptions,
  user: { jwt: string } | undefined,
) {
  if (typeof options?.url !== 'string' || options.url === '') {
    throw new ValidationException('SupabaseAdapterOptions.url is required', 'url');
  }
  let key = options.serviceKey || options.anonKey;
  if (user) {
    if (typeof user.jwt !== 'string' || !/^[\w.~+/=-]+$/.test(user.jwt)) {
      throw new ValidationException('forUser needs a JWT (a non-empty token string)', 'jwt');
    }
    // Never the service key: with a user token on the same client it no longer bypasses RLS,
    // and mixing the two is how a request ends up with the wrong role (supabase/auth#965).
    key = options.anonKey;
    if (!key)
      throw new ValidationException('forUser needs SupabaseAdapterOptions.anonKey', 'anonKey');
  }
  if (!key)
    throw new ValidationException(
      'SupabaseAdapterOptions needs serviceKey or anonKey',
      'serviceKey',
    );
  try {
    return createSupabaseClient({
      url: options.url,
      key,
      userJwt: user?.jwt,
      fetch: options.fetch,
      timeoutMs: options.timeoutMs ?? DEFAULT_SUPABASE_TIMEOUT_MS,
    });
  } catch (error) {
    // An option the factory refused (timeoutMs) says which; createClient throws on a malformed URL.
    if (error instanceof ValidationException) throw error;
    throw new ValidationException(`Invalid Supabase options: ${(error as Error).message}`, 'url', {
      cause: error,
    });
  }
}
