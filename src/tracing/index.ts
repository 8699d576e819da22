export * from './traced.adapter';
export {
  DB_SPAN_ATTRIBUTES,
  connectionAttributes,
  spanTargetOf,
  type DatabaseSpanTarget,
} from './database-span-attributes';
