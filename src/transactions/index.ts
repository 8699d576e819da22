// The transactions' public API: @Transactional(), afterCommit / afterRollback, the transaction
// options, the manager and what an engine implements for it.
export * from './connection-lock';
export * from './transaction-connections';
export * from './transaction-manager';
export * from './shared-connection';
export { closedException } from './transaction-state';
export { afterCommit, afterRollback, type TransactionCallback } from './transaction-callbacks';
export {
  ISOLATION_LEVELS,
  type IsolationLevel,
  TRANSACTION_PROPAGATIONS,
  type TransactionOptions,
  type TransactionPropagation,
} from './transaction-options';
export { Transactional, type TransactionalOptions } from './transactional.decorator';
