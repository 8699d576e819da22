export * from './database-adapter.interface';
export * from './query-observer';
export * from './sqlite';
export * from './postgres';
export * from './supabase';
export { SqlQuery, sqlTag, type SqlTag } from './raw-sql';
