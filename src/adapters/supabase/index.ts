export {
  DEFAULT_SUPABASE_TIMEOUT_MS,
  type SupabaseAdapterOptions,
} from './supabase-adapter.options';
export {
  SUPABASE_CAPABILITIES,
  SUPABASE_NO_TRANSACTIONS,
  SupabaseAdapter,
} from './supabase.adapter';
export {
  PROBE_TABLE,
  probeSupabase,
  SUPABASE_PROBE_MESSAGES,
  type SupabaseProbeFailure,
  type SupabaseProbeOptions,
  type SupabaseProbeResult,
} from './supabase.probe';
export {
  mapSupabaseError,
  type PostgrestFailure,
  type SupabaseFailure,
} from './supabase-error.mapper';
export { createSupabaseClient, type SupabaseClientSettings } from './supabase-client.factory';
