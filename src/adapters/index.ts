export * from './database-adapter.interface';
export * from './aggregate-options';
export { DEFAULT_BATCH_SIZE, type IterateFindOptions, type IterateOptions } from './iterate-rows';
export * from './query-observer';
export * from './sqlite';
export * from './postgres';
export * from './supabase';
export { SqlQuery, sqlTag, type SqlTag } from './raw-sql';
