export * from './postgres.adapter';
export * from './postgres-adapter.options';
export * from './postgres-user.scope';
export { PostgresPool } from './postgres-pool';
export {
  isPostgresConnectionError,
  mapPostgresError,
  type PostgresErrorContext,
} from './postgres-error.mapper';
