import { ValidationException } from '../exceptions';

/**
 * The most bytes (UTF-8) a LIKE pattern may hold: SQLite refuses longer ones
 * (SQLITE_MAX_LIKE_PATTERN_LENGTH, "LIKE or GLOB pattern too complex"), so the planner holds every
 * provider to the same limit. It applies to a like/ilike pattern as given and to the pattern a
 * search text becomes (`%text%`, with `%`, `_` and `\` escaped).
 */
export const MAX_LIKE_PATTERN_BYTES = 50_000;

/** Escapes `\`, `%` and `_` so text matches itself literally inside a LIKE pattern (escape `\`). */
export function escapeLikeText(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** The LIKE pattern for "contains `text`", with the text taken literally. */
export function containsPattern(text: string): string {
  return `%${escapeLikeText(text)}%`;
}

/** An odd run of backslashes at the end: the last one escapes nothing. */
const LONE_TRAILING_ESCAPE = /(?:^|[^\\])(?:\\\\)*\\$/;

/** ValidationException naming `field` when the pattern is over {@link MAX_LIKE_PATTERN_BYTES}. */
export function checkPatternSize(pattern: string, field: string): void {
  // Each UTF-16 unit is at most 3 bytes, so most patterns are judged without counting.
  if (
    pattern.length * 3 > MAX_LIKE_PATTERN_BYTES &&
    Buffer.byteLength(pattern, 'utf8') > MAX_LIKE_PATTERN_BYTES
  ) {
    throw new ValidationException(
      `${field}: a LIKE pattern may hold at most ${MAX_LIKE_PATTERN_BYTES} bytes`,
      field,
    );
  }
}

/**
 * Checks a caller's like/ilike pattern: a string without NUL, within the size limit, and not
 * ending in a lone `\` (Postgres refuses it, SQLite matches nothing: refused everywhere).
 */
export function checkLikePattern(pattern: unknown, field: string): string {
  if (typeof pattern !== 'string' || pattern.includes('\u0000')) {
    throw new ValidationException(`${field}: a like pattern must be a string without NUL`, field);
  }
  if (LONE_TRAILING_ESCAPE.test(pattern)) {
    throw new ValidationException(
      `${field}: a like pattern must not end in a lone \\ (write \\\\ for a backslash)`,
      field,
    );
  }
  checkPatternSize(pattern, field);
  return pattern;
}
