export * from './sql-dialect';
export * from './sql-compiler';
export * from './sql-driver';
export * from './sql-engine';
export * from './offset-page';
export * from './sql.adapter';
