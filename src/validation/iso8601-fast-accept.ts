import { isCanonicalTimestamp } from '../query/timestamp';

/**
 * True only for strings class-validator's `@IsISO8601()` accepts whatever its options (`strict`,
 * `strictSeparator`): a timestamp in the library's form (`toISOString()`'s) naming a real day and
 * time of a year from 1000 to 9999. validator's ISO-8601 pattern and its `strict` day check
 * (which rebuilds the date from the digits, right only for years written without a leading 0)
 * both pass such a string, so the compiled rules skip the constraint for it: it is most of an
 * update's validation when the update sets a timestamp (validator's regular expression, two
 * `match`es and a Date per call). Any other value goes through the constraint itself
 * (test/unit/canonical-timestamp.spec.ts checks that the two agree).
 */
export function acceptedByIsISO8601(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.charCodeAt(0) !== 48 /* a year before 1000 */ &&
    isCanonicalTimestamp(value)
  );
}
