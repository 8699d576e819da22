export * from './connection-lock';
