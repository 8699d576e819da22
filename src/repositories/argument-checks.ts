import { ValidationException } from '../exceptions';
import { isTimestampInRange } from '../query/timestamp';

/**
 * Checks of repository arguments, so a bad one is a ValidationException naming it rather than a
 * TypeError, or worse, a filter silently dropped (`findByEmail(undefined)` finding anyone).
 */

/** What a value is, for messages: never the value itself, which may be a secret. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return value === '' ? 'empty' : typeof value;
}

/** A lookup key: a non-empty string. */
export function requireKey(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ValidationException(`${name} must be a non-empty string, not ${kindOf(value)}`, name);
  }
  return value;
}

/** An array of lookup keys (it may be empty). */
export function requireKeys(values: unknown, name: string): readonly string[] {
  if (!Array.isArray(values)) {
    throw new ValidationException(`${name} must be an array, not ${kindOf(values)}`, name);
  }
  for (const value of values) {
    if (typeof value !== 'string' || value === '') {
      throw new ValidationException(`${name} must hold non-empty strings only`, name);
    }
  }
  return values;
}

/** An input object (a row to write, a received event). */
export function requireObject<V extends object>(value: V, name: string): V {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationException(`${name} must be an object, not ${kindOf(value)}`, name);
  }
  return value;
}

/** An array of anything; its elements are checked by the caller. */
export function requireArray<V>(values: readonly V[], name: string): readonly V[] {
  if (!Array.isArray(values)) {
    throw new ValidationException(`${name} must be an array, not ${kindOf(values)}`, name);
  }
  return values;
}

/** A whole number (a count or a threshold). */
export function requireInteger(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    throw new ValidationException(`${name} must be an integer, not ${kindOf(value)}`, name);
  }
  return value;
}

/**
 * The instant of a Stripe event's `created` (whole seconds since the epoch, as Stripe sends it),
 * as a timestamp; ValidationException unless it is a positive integer.
 */
export function stripeEventTime(created: unknown, name = 'eventCreated'): string {
  if (typeof created !== 'number' || !Number.isSafeInteger(created) || created <= 0) {
    throw new ValidationException(`${name} must be Stripe's event.created (whole seconds)`, name);
  }
  if (!isTimestampInRange(created * 1000)) {
    throw new ValidationException(`${name} is past the year 9999`, name);
  }
  return new Date(created * 1000).toISOString();
}
