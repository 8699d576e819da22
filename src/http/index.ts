export * from './database-exception.filter';
export * from './database-exception.mapper';
export * from './describe-cause-chain';
