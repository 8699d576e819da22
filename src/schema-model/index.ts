export * from './schema-model';
export * from './table-model';
export * from './sql-types';
