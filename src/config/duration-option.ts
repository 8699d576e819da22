/**
 * The longest duration any option of the library may have: 2^31 - 1 ms, about 24.8 days. It is
 * the longest delay `setTimeout` honours (a longer one fires after 1 ms, so a statement deadline
 * would cancel every statement at once) and the largest `statement_timeout` and `lock_timeout`
 * PostgreSQL accepts.
 */
export const MAX_DURATION_MS = 2_147_483_647;

/**
 * Why `value` is not a duration of at least `min` ms, or undefined when it is one: a number
 * from `min` to {@link MAX_DURATION_MS}, and a whole one unless `fractions` (a duration that
 * ends up in SQL, or in a driver's settings, must be whole). The text completes a sentence
 * that starts with the option's name.
 */
export function durationProblem(
  value: unknown,
  min: number,
  fractions = false,
): string | undefined {
  const valid =
    typeof value === 'number' &&
    (fractions ? Number.isFinite(value) : Number.isInteger(value)) &&
    value >= min &&
    value <= MAX_DURATION_MS;
  if (valid) return undefined;
  return `must be a ${fractions ? '' : 'whole '}number of milliseconds from ${min} to ${MAX_DURATION_MS}`;
}
