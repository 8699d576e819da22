import { QueryException } from '../exceptions';
import type { ColumnDefinition } from '../schema/table-definition';
import type { ComparisonOperator, PlanValue } from './query-plan';

/**
 * The library's one timestamp form is ISO-8601 UTC with milliseconds, for instants from year 1 to
 * 9999: what `Date#toISOString()` prints for them, what SQLite's strftime handles and what
 * PostgreSQL's ISO input accepts. Everything here keeps stored values and that form in step.
 */

/** 0001-01-01T00:00:00.000Z, in milliseconds since the epoch. */
export const EARLIEST_TIMESTAMP_MS = -62_135_596_800_000;
/** 9999-12-31T23:59:59.999Z, in milliseconds since the epoch. */
export const LATEST_TIMESTAMP_MS = 253_402_300_799_999;

/** Whether an instant (ms since the epoch) has the library's timestamp form. */
export function isTimestampInRange(ms: number): boolean {
  return ms >= EARLIEST_TIMESTAMP_MS && ms <= LATEST_TIMESTAMP_MS;
}

/**
 * Whether stored text has the library's form, checked by shape only (length, `T`, `.`, `Z`):
 * enough to tell it from what other writers store (`2024-05-01 12:00:00`, microseconds,
 * offsets), and cheap enough for every value of every row read.
 */
export function hasTimestampShape(text: string): boolean {
  return (
    text.length === 24 &&
    text.charCodeAt(10) === 84 /* T */ &&
    text.charCodeAt(19) === 46 /* . */ &&
    text.charCodeAt(23) === 90 /* Z */
  );
}

/** Where the library's form (`2024-05-01T12:00:00.000Z`) has other than digits. */
const FORM = '0000-00-00T00:00:00.000Z';
const SEPARATOR_AT = [4, 7, 10, 13, 16, 19, 23];

/** The number the digits of `text` from `start` to `end` write; -1 when one is not a digit. */
function digitsAt(text: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = text.charCodeAt(i) - 48; /* 0 */
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Whether text is already in the library's form and names a real instant (a day the month has,
 * hours to 23, minutes and seconds to 59, a year from 1): then `new Date(text).toISOString()` is
 * the text itself, so it needs no Date to be checked or normalized. Checked digit by digit,
 * without a regular expression or a Date: an update setting a timestamp checks it twice.
 */
export function isCanonicalTimestamp(text: string): boolean {
  if (text.length !== 24) return false;
  for (const at of SEPARATOR_AT) if (text.charCodeAt(at) !== FORM.charCodeAt(at)) return false;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 7);
  const day = digitsAt(text, 8, 10);
  const hour = digitsAt(text, 11, 13);
  const minute = digitsAt(text, 14, 16);
  const second = digitsAt(text, 17, 19);
  return (
    year >= 1 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month) &&
    hour >= 0 &&
    hour <= 23 &&
    minute >= 0 &&
    minute <= 59 &&
    second >= 0 &&
    second <= 59 &&
    digitsAt(text, 20, 23) >= 0
  );
}

// PostgreSQL's ISO output, as PostgREST sends it: `2024-05-01T12:00:00.123456+00:00`, fraction
// optional and of any length, offset `Z`, `±HH`, `±HH:MM` or `±HH:MM:SS` (historical zones).
const ISO_TIMESTAMP =
  /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:(Z)|([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)$/;

/**
 * The instant of an ISO-8601 date-time written by a database, in milliseconds: sub-millisecond
 * digits are cut (so the instant is never moved past a millisecond boundary), the offset applied
 * exactly. `undefined` for anything else (`infinity`, BC dates, years past 9999, no offset).
 */
export function parseStoredTimestamp(text: string): number | undefined {
  const m = ISO_TIMESTAMP.exec(text);
  if (!m) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  date.setUTCHours(
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    Number((m[7] ?? '').padEnd(3, '0').slice(0, 3)),
  );
  const offsetSeconds =
    m[9] === undefined
      ? 0
      : (m[9] === '-' ? -1 : 1) *
        (Number(m[10]) * 3600 + Number(m[11] ?? 0) * 60 + Number(m[12] ?? 0));
  const ms = date.getTime() - offsetSeconds * 1000;
  return isTimestampInRange(ms) ? ms : undefined;
}

/**
 * The error for a stored value the library cannot return as a timestamp (`infinity`, a year past
 * 9999, text of another form): a QueryException naming the table and column, never a RangeError.
 */
export function unreadableTimestamp(
  table: string,
  column: ColumnDefinition,
  value: unknown,
): QueryException {
  const shown = column.sensitive
    ? 'a value'
    : value instanceof Date
      ? 'a date outside the years 1 to 9999'
      : JSON.stringify(value);
  return new QueryException(
    `${table}.${column.column} holds ${shown}, which is not a timestamp the library can return ` +
      '(ISO-8601 UTC with milliseconds, years 1 to 9999)',
    { details: { table, column: column.column, field: column.property } },
  );
}

/**
 * Whether comparisons on a column must take each value the library returns as the bucket of
 * instants it stands for: a timestamp column not declared millisecond-exact may keep microseconds,
 * which the library returns cut to their millisecond (see `TimestampPrecision`).
 */
export function comparesAsBuckets(column: ColumnDefinition): boolean {
  return column.type === 'timestamp' && column.precision !== 'ms';
}

/**
 * The instants the library shows as one value: from it (inclusive) until the next millisecond
 * (exclusive). A column that keeps microseconds holds many instants per returned value.
 */
export interface MillisecondBucket {
  from: string;
  until: string;
}

/** The bucket of a timestamp in the library's form. */
export function millisecondBucket(value: string): MillisecondBucket {
  // Past 9999-12-31T23:59:59.999Z, toISOString writes `+010000-…`, which PostgreSQL refuses.
  const until = new Date(Date.parse(value) + 1).toISOString().replace(/^\+0*(?=\d{5})/, '');
  return { from: value, until };
}

/**
 * The bucket a comparison on `column` takes `value` as, or undefined where the column is
 * compared as stored (see {@link comparesAsBuckets}).
 */
export function comparisonBucket(
  column: ColumnDefinition,
  value: PlanValue,
): MillisecondBucket | undefined {
  return comparesAsBuckets(column) ? millisecondBucket(value as string) : undefined;
}

/** One bound on a bucketed column: `>=` or `<` one end of the value's bucket. */
interface BucketBound {
  op: 'gte' | 'lt';
  end: keyof MillisecondBucket;
}

/** Each comparison operator as bounds on the ends of a value's bucket (see {@link bucketBounds}). */
const BUCKET_COMPARISONS: Record<
  ComparisonOperator,
  { any: boolean; bounds: readonly BucketBound[] }
> = {
  eq: {
    any: false,
    bounds: [
      { op: 'gte', end: 'from' },
      { op: 'lt', end: 'until' },
    ],
  },
  neq: {
    any: true,
    bounds: [
      { op: 'lt', end: 'from' },
      { op: 'gte', end: 'until' },
    ],
  },
  gt: { any: false, bounds: [{ op: 'gte', end: 'until' }] },
  gte: { any: false, bounds: [{ op: 'gte', end: 'from' }] },
  lt: { any: false, bounds: [{ op: 'lt', end: 'from' }] },
  lte: { any: false, bounds: [{ op: 'lt', end: 'until' }] },
};

/** One bound of {@link bucketBounds}: `column >= value` or `column < value`. */
export interface TimestampBound {
  op: 'gte' | 'lt';
  value: string;
}

/**
 * `column op value` for a timestamp, as bounds on the ends of the value's millisecond `bucket`
 * (made once per value by {@link millisecondBucket}, however many comparisons use it): ANDed, or
 * ORed where `any` is set. A stored instant then compares as the millisecond the library returns
 * for it, whatever precision its column keeps: `gt X` is `>= X + 1 ms`, `lte X` is `< X + 1 ms`,
 * `eq X` is `>= X AND < X + 1 ms`, `neq X` is outside that. Each bound is a plain range on the
 * column, so an index on it still serves the comparison.
 */
export function bucketBounds(
  op: ComparisonOperator,
  bucket: MillisecondBucket,
): { any: boolean; bounds: TimestampBound[] } {
  const { any, bounds } = BUCKET_COMPARISONS[op];
  return { any, bounds: bounds.map((b) => ({ op: b.op, value: bucket[b.end] })) };
}
