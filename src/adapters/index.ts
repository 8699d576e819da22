export * from './database-adapter.interface';
export * from './sqlite';
export * from './postgres';
export * from './supabase';
