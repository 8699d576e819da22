/**
 * nest-data-layer: the public API. Everything a user imports comes from here; nothing else is
 * public.
 */
export * from './database.module';
export * from './database.constants';
export * from './database.tokens';
export * from './database.decorators';
export * from './config';
export * from './adapters';
export * from './exceptions';
export * from './schema';
export * from './entities';
export * from './query';
export * from './repositories';
export * from './transactions';
export * from './migrations';
export * from './cli';
export * from './health';
export * from './metrics';
export * from './resilience';
export * from './tracing';
export * from './cache';
export * from './http';
export * from './testing';
