export * from './supabase-adapter.options';
export * from './supabase.adapter';
export * from './supabase.probe';
export * from './supabase-error.mapper';
export { createSupabaseClient, type SupabaseClientSettings } from './supabase-client.factory';
