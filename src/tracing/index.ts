export * from './traced.adapter';
export { DB_SPAN_ATTRIBUTES, connectionAttributes } from './database-span-attributes';
