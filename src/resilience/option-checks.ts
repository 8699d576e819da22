import { durationProblem } from '../config/duration-option';

/**
 * An integer option of at least `min`, or `fallback` when not given. `owner` names the options
 * type in the TypeError thrown for a bad value.
 */
export function integerOption(
  owner: string,
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new TypeError(`${owner}.${name} must be an integer of at least ${min}`);
  }
  return value;
}

/**
 * A duration option in ms (from 0 to 2^31 - 1, fractions allowed: it only feeds timers), or
 * `fallback` when not given.
 */
export function millisOption(
  owner: string,
  name: string,
  value: number | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const problem = durationProblem(value, 0, true);
  if (problem !== undefined) throw new TypeError(`${owner}.${name} ${problem}`);
  return value;
}
