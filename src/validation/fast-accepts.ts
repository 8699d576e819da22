import { IS_EMAIL, IS_ISO8601, MAX_LENGTH, MIN_LENGTH } from 'class-validator';
import { isCanonicalTimestamp } from '../query/timestamp';

/**
 * Cheap tests that are true only of values a built-in class-validator constraint accepts, so the
 * compiled rules can skip the constraint for the values an application writes every time (a
 * timestamp `toISOString()` printed, a plain address, a name within its length). They never reject: every other value goes
 * through the constraint itself, so results and messages stay class-validator's.
 * test/unit/fast-accepts.spec.ts checks each against its constraint on generated values.
 */

/**
 * True only for strings `@IsISO8601()` accepts whatever its options (`strict`, `strictSeparator`):
 * a timestamp in the library's form naming a real day and time of a year from 1000 to 9999.
 * validator's ISO-8601 pattern and its `strict` day check (which rebuilds the date from the
 * digits, right only for years written without a leading 0) both pass such a string. Skipping the
 * constraint saves validator's regular expression, two `match`es and a Date per value: most of an
 * update's validation when it sets a timestamp.
 */
export function acceptedByIsISO8601(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.charCodeAt(0) !== 48 /* a year before 1000 */ &&
    isCanonicalTimestamp(value)
  );
}

/**
 * A plain ASCII address: dot-separated atoms of letters, digits, `_`, `+` and `-`; a domain of
 * two or more labels of letters, digits and inner hyphens, each at most 63 characters, ending in
 * a TLD of 2 to 63 letters.
 */
const PLAIN_EMAIL =
  /^[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/**
 * True only for strings `@IsEmail()` without options accepts: a {@link PLAIN_EMAIL} of at most 254
 * characters with at most 64 before the `@`. Every check validator's isEmail makes with its
 * default options (lengths in bytes, which ASCII makes characters; each local atom; the domain as
 * an FQDN with a letter TLD, labels without leading or trailing hyphens or underscores) passes
 * such an address. One regular expression instead of validator's options merge, splits, URI
 * encodings and a dozen regular expressions: most of a created user's validation.
 */
export function acceptedByIsEmail(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value.length <= 254 &&
    value.indexOf('@') <= 64 &&
    PLAIN_EMAIL.test(value)
  );
}

/**
 * `@MaxLength(max)` counts characters as validator's isLength does: the UTF-16 length less one per
 * surrogate pair and per presentation sequence, never more than `.length`. So a string whose
 * `.length` is within `max` is accepted without the two `match`es isLength runs.
 */
function maxLengthAccept(max: number): (value: unknown) => boolean {
  return (value) => typeof value === 'string' && value.length <= max;
}

/**
 * `@MinLength(min)`: below U+D800 a string has neither surrogates nor variation selectors (U+FE0E,
 * U+FE0F), and isLength's count is its `.length`.
 */
function minLengthAccept(min: number): (value: unknown) => boolean {
  return (value) => {
    if (typeof value !== 'string' || value.length < min) return false;
    for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) >= 0xd800) return false;
    return true;
  };
}

/**
 * The fast accept for a constraint of these metadata (its registered name and its constraints'
 * arguments), or undefined when there is none and the constraint always runs.
 */
export function fastAcceptFor(
  name: string | undefined,
  constraints: readonly unknown[] | undefined,
): ((value: unknown) => boolean) | undefined {
  if (name === IS_ISO8601) return acceptedByIsISO8601;
  // Options change what isEmail accepts (display names, blacklisted characters, host lists).
  if (name === IS_EMAIL && (constraints?.[0] === undefined || constraints?.length === 0)) {
    return acceptedByIsEmail;
  }
  const bound = constraints?.[0];
  if (typeof bound === 'number' && !Number.isNaN(bound)) {
    if (name === MAX_LENGTH) return maxLengthAccept(bound);
    if (name === MIN_LENGTH) return minLengthAccept(bound);
  }
  return undefined;
}
