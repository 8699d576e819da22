export * from './table-definition';
export * from './users.table';
export * from './payments.table';
export * from './subscriptions.table';
export * from './webhook-events.table';
export * from './conceal-sensitive';
export * from './relations';
