export * from './sqlite.adapter';
export * from './sqlite-adapter.options';
export { mapSqliteError } from './sqlite-error.mapper';
