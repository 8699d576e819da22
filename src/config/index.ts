export * from './database-options.interface';
export * from './database-configuration.exception';
export * from './database-env.constants';
export * from './resolve-database-config';
export * from './database-providers';
export * from './database-connection.interface';
export * from './database-target';
