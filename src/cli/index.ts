export * from './cli-command';
export { runMigrateCommand, type MigrateCommandIo } from './migrate-command';
