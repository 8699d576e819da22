export { DEFAULT_QUERY_LIMITS, DEFAULT_PAGE_SIZE, type QueryLimits } from './plan-query';
export { MAX_LIKE_PATTERN_BYTES } from './like-pattern';
export { MAX_LEASE_MS } from './claim-input';
export type {
  IncludeFor,
  IncludeOf,
  IncludeOptions,
  IncludeSpec,
  IRelationFilter,
  RelatedEntity,
  WithIncluded,
} from './include-options';
