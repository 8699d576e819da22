export * from './sql-dialect';
export * from './sql-compiler';
export * from './sqlite.dialect';
export * from './postgres.dialect';
export * from './offset-page';
