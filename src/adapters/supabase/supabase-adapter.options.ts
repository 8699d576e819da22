import type { QueryObserver } from '../query-observer';
import type { QueryLimits } from '../../query/plan-query';

/** How {@link SupabaseAdapter} reaches a Supabase project over its REST API (PostgREST). */
export interface SupabaseAdapterOptions {
  /** The project URL, e.g. `https://<ref>.supabase.co`. */
  url: string;
  /**
   * The service-role (secret) key, for a server that acts on its own behalf: it bypasses row-level
   * security as long as no user token rides on the same client. Default is none (the anon key is used).
   */
  serviceKey?: string;
  /**
   * The anon (publishable) key. Used when no service key is given, and by
   * {@link SupabaseAdapter.forUser}, which needs it. Default is none.
   */
  anonKey?: string;
  /** The fetch used for every request (tests pass a recording fake). Default is the global fetch. */
  fetch?: typeof fetch;
  /** Each request is aborted after this many milliseconds. Default is 10,000. */
  timeoutMs?: number;
  /** Page-size and IN-list limits. Default is {@link DEFAULT_QUERY_LIMITS}. */
  limits?: Partial<QueryLimits>;
  /**
   * Whether the project's PostgREST enables aggregate functions (`db-aggregates-enabled`, off by
   * default), so `aggregate()` can send `select=…,amount.sum()`. Default is `false`: aggregate()
   * throws AggregatesNotEnabledException without sending anything.
   */
  aggregatesEnabled?: boolean;
  /** Receives an event after every operation. Default is none. */
  observer?: QueryObserver;
}

/** The request timeout used when {@link SupabaseAdapterOptions.timeoutMs} is not given. */
export const DEFAULT_SUPABASE_TIMEOUT_MS = 10_000;
