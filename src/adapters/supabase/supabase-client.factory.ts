import type * as SupabaseJs from '@supabase/supabase-js';
import type { SupabaseClient, SupabaseClientOptions } from '@supabase/supabase-js';
import WebSocket from 'ws';

/** What {@link createSupabaseClient} needs. */
export interface SupabaseClientSettings {
  url: string;
  /** The API key sent as `apikey` (and as the bearer token when no user token is given). */
  key: string;
  /** A user's JWT, sent as `Authorization: Bearer <jwt>` so row-level security applies. Default is none. */
  userJwt?: string;
  /** Default is the global fetch. */
  fetch?: typeof fetch;
  /** Aborts each request after this many milliseconds. Default is none. */
  timeoutMs?: number;
}

// `ws` does what realtime needs; only its DOM-style event typings differ from the interface.
const WS_TRANSPORT = WebSocket as unknown as NonNullable<
  NonNullable<SupabaseClientOptions<'public'>['realtime']>['transport']
>;

/**
 * Builds a supabase-js client for server use: no session storage, no token refresh, no URL
 * sniffing, schema `public`, and no built-in retries.
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
  return createClient(settings.url, settings.key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    db: { schema: 'public', retry: false, timeout: settings.timeoutMs },
    realtime: { transport: WS_TRANSPORT },
    global: {
      ...(settings.fetch ? { fetch: settings.fetch } : {}),
      ...(settings.userJwt ? { headers: { Authorization: `Bearer ${settings.userJwt}` } } : {}),
    },
  });
}
