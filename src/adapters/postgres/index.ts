export * from './postgres.adapter';
export * from './postgres-adapter.options';
export {
  isPostgresConnectionError,
  mapPostgresError,
  type PostgresErrorContext,
} from './postgres-error.mapper';
