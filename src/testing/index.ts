export * from './database-testing.module';
export * from './define-factory';
export * from './test-transaction';
export * from './throwaway-postgres';
