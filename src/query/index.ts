export { DEFAULT_QUERY_LIMITS, DEFAULT_PAGE_SIZE, type QueryLimits } from './plan-query';
