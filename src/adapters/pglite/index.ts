export * from './pglite.adapter';
export * from './pglite-adapter.options';
export { mapPgliteError } from './pglite-error.mapper';
export { pgliteMigrationPool } from './pglite-migration.pool';
