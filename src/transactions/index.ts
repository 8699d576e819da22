// The transactions' public API: the manager and what an engine implements for it.
export * from './connection-lock';
export * from './transaction-connections';
export * from './transaction-manager';
export * from './shared-connection';
export { closedException } from './transaction-state';
