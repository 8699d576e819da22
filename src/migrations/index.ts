export * from './migration-driver.interface';
export * from './migration.exception';
export * from './migration-runner';
export * from './migrations-directory';
export { migrationChecksum } from './migration-files';
export * from './drivers/sqlite-migration.driver';
export * from './drivers/postgres-migration.driver';
