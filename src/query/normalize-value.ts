import { ValidationException } from '../exceptions';
import type { ColumnDefinition } from '../schema/table-definition';
import type { PlanValue } from './query-plan';
import { isCanonicalTimestamp, isTimestampInRange } from './timestamp';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function reject(field: string, message: string): never {
  throw new ValidationException(`${field} ${message}`, field);
}

function normalizeText(field: string, value: unknown): string {
  if (typeof value !== 'string') reject(field, 'must be a string');
  // Postgres cannot store NUL in text; refusing it everywhere keeps providers identical.
  if (value.includes('\u0000')) reject(field, 'must not contain NUL characters');
  return value;
}

/**
 * An ISO-8601 UTC string with milliseconds, from a Date or a date string, for years 1 to 9999:
 * what SQLite's date functions and PostgreSQL's ISO input both take, and what stored values are
 * held to (migrations sqlite/0007 and postgres/0009).
 */
export function normalizeTimestamp(field: string, value: unknown): string {
  // Already the library's form (what toISOString gave the caller): nothing to parse or reprint.
  if (typeof value === 'string' && isCanonicalTimestamp(value)) return value;
  const date =
    value instanceof Date
      ? value
      : typeof value === 'string' && value !== ''
        ? new Date(value)
        : null;
  if (!date || Number.isNaN(date.getTime())) reject(field, 'must be a date or an ISO-8601 string');
  if (!isTimestampInRange(date.getTime())) reject(field, 'must be a date from year 1 to 9999');
  return date.toISOString();
}

/**
 * Checks a scalar against its column's type and returns it in the one form every provider
 * compares: uuid lower-case, timestamps ISO-8601 UTC with milliseconds, integers safe.
 * `field` names the input in error messages.
 */
export function normalizeScalar(
  column: ColumnDefinition,
  value: unknown,
  field: string,
): PlanValue {
  switch (column.type) {
    case 'uuid': {
      const text = normalizeText(field, value);
      if (!UUID.test(text)) reject(field, 'must be a UUID');
      return text.toLowerCase();
    }
    case 'string':
    case 'text':
      return normalizeText(field, value);
    case 'integer':
      return normalizeInteger(column, value, field);
    case 'boolean':
      if (typeof value !== 'boolean') reject(field, 'must be a boolean');
      return value;
    case 'timestamp':
      return normalizeTimestamp(field, value);
    case 'json':
      return reject(field, 'is a JSON column and cannot be compared');
  }
}

/**
 * An integer within the column's range (32-bit unless the definition widens it): Postgres refuses
 * what its `integer` cannot hold, so every provider refuses it first, naming the field.
 */
function normalizeInteger(column: ColumnDefinition, value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    reject(field, 'must be an integer');
  const range = column.range;
  if (range && (value < range.min || value > range.max)) {
    reject(field, `must be an integer from ${range.min} to ${range.max}`);
  }
  return value;
}

/** Checks a JSON column's value: anything JSON can hold, nothing it would silently drop. */
export function normalizeJson(field: string, value: unknown): unknown {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new ValidationException(`${field} must be JSON-serializable`, field, { cause: error });
  }
  if (text === undefined) reject(field, 'must be JSON-serializable');
  if (text.includes('\\u0000')) reject(field, 'must not contain NUL characters');
  return JSON.parse(text);
}

/**
 * Validates and normalizes one value for writing. `undefined` means "not given"; `null` is allowed
 * only for nullable columns.
 */
export function normalizeWriteValue(column: ColumnDefinition, value: unknown): unknown {
  if (value === null) {
    if (!column.nullable) reject(column.property, 'must not be null');
    return null;
  }
  if (column.type === 'json') return normalizeJson(column.property, value);
  const normalized = normalizeScalar(column, value, column.property);
  if (column.length !== undefined || column.enumValues !== undefined) {
    checkDeclaredText(column, normalized as string);
  }
  return normalized;
}

/**
 * The declaration's own rules for a string column, on every write and every provider: at most
 * `length` characters (code points, as VARCHAR(n) counts them) and one of `enum`.
 */
function checkDeclaredText(column: ColumnDefinition, text: string): void {
  const { length, enumValues, property } = column;
  // UTF-16 units are never fewer than code points, so only a long string needs counting.
  if (length !== undefined && text.length > length && [...text].length > length) {
    reject(property, `must be at most ${length} characters`);
  }
  if (enumValues !== undefined && !enumValues.includes(text)) {
    reject(property, `must be one of ${enumValues.join(', ')}`);
  }
}
