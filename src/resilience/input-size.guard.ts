import { ValidationException } from '../exceptions';

/** Size limits on what a caller passes in, checked before anything is sent. */
export interface InputSizeLimits {
  /**
   * The most characters one value may hold: a string, or a JSON value counted as the sum of its
   * strings and keys. The same limit applies to one filter (all of its operands) and to the
   * search text. Default is 1048576 (1 Mi characters).
   */
  maxValueLength: number;
  /** How deeply a JSON value may nest. Default is 64. */
  maxDepth: number;
}

/** The limits used when none are given. */
export const DEFAULT_INPUT_SIZE_LIMITS: InputSizeLimits = Object.freeze({
  maxValueLength: 1_048_576,
  maxDepth: 64,
});

const TOO_DEEP = -2;

/**
 * The budget left after `value`, or a negative number when it is over the budget (-1) or nests
 * too deeply (-2). Walks without copying; stops as soon as the budget is spent.
 */
function remaining(value: unknown, budget: number, depth: number, maxDepth: number): number {
  if (typeof value === 'string') return budget - value.length;
  if (typeof value !== 'object' || value === null || value instanceof Date) return budget;
  if (depth >= maxDepth) return TOO_DEEP;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && budget >= 0; i++) {
      budget = remaining(value[i], budget - 1, depth + 1, maxDepth);
    }
    return budget;
  }
  for (const key in value) {
    if (budget < 0) return budget;
    budget = remaining(
      (value as Record<string, unknown>)[key],
      budget - key.length,
      depth + 1,
      maxDepth,
    );
  }
  return budget;
}

function check(
  field: string,
  value: unknown,
  limits: InputSizeLimits,
): ValidationException | undefined {
  const left = remaining(value, limits.maxValueLength, 0, limits.maxDepth);
  if (left === TOO_DEEP) {
    return new ValidationException(`${field} nests deeper than ${limits.maxDepth} levels`, field);
  }
  if (left < 0) {
    return new ValidationException(
      `${field} is too large: at most ${limits.maxValueLength} characters`,
      field,
    );
  }
  return undefined;
}

/** A property name fit for an error message: long (hostile) names are cut short. */
function label(prefix: string, key: string): string {
  return `${prefix}${key.length > 64 ? `${key.slice(0, 64)}…` : key}`;
}

/** The first value of `record` over the limits, as a ValidationException naming it. */
function firstViolation(
  record: unknown,
  prefix: string,
  limits: InputSizeLimits,
): ValidationException | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  for (const key in record) {
    const violation =
      check(`${prefix}name`, key, limits) ??
      check(label(prefix, key), (record as Record<string, unknown>)[key], limits);
    if (violation) return violation;
  }
  return undefined;
}

/**
 * The ValidationException for a write whose values (or property names) are too large or nest too
 * deeply, naming the property; `undefined` when the write is within the limits.
 */
export function writeSizeViolation(
  data: unknown,
  limits: InputSizeLimits,
): ValidationException | undefined {
  return firstViolation(data, '', limits);
}

/** The ValidationException for filters or search text that are too large, or `undefined`. */
export function filterSizeViolation(
  filters: unknown,
  limits: InputSizeLimits,
): ValidationException | undefined {
  return firstViolation(filters, 'filters.', limits);
}
