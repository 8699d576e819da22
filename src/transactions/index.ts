export * from './connection-lock';
export * from './transaction-connections';
export * from './transaction-manager';
