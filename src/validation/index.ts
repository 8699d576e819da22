export * from './entity-validator';
