export * from './database-exception.filter';
export * from './database-exception.mapper';
