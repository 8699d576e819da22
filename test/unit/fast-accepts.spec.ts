import { isEmail, isISO8601, maxLength, minLength } from 'class-validator';
import fc from 'fast-check';
import { normalizeTimestamp } from '../../src/query/normalize-value';
import { isCanonicalTimestamp, isTimestampInRange } from '../../src/query/timestamp';
import {
  acceptedByIsEmail,
  acceptedByIsISO8601,
  fastAcceptFor,
} from '../../src/validation/fast-accepts';

const OPTIONS = [
  undefined,
  { strict: true },
  { strictSeparator: true },
  { strict: true, strictSeparator: true },
];

/** Timestamps in the library's form with every field over and beyond its range. */
const nearCanonical = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 25 }),
    fc.integer({ min: 0, max: 61 }),
    fc.integer({ min: 0, max: 61 }),
    fc.integer({ min: 0, max: 999 }),
  )
  .map(([y, mo, d, h, mi, s, ms]) => {
    const pad = (n: number, width: number) => String(n).padStart(width, '0');
    return `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`;
  });

/** One character of a canonical timestamp replaced by anything. */
const mutated = fc
  .tuple(nearCanonical, fc.nat({ max: 23 }), fc.string({ minLength: 1, maxLength: 1 }))
  .map(([text, at, c]) => text.slice(0, at) + c + text.slice(at + 1));

describe('acceptedByIsISO8601', () => {
  it('accepts only what class-validator’s IsISO8601 accepts, with any of its options', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          nearCanonical,
          mutated,
          fc.string(),
          fc.date().map((d) => (Number.isNaN(d.getTime()) ? '' : d.toISOString())),
        ),
        (text) => {
          if (!acceptedByIsISO8601(text)) return;
          for (const options of OPTIONS) expect(isISO8601(text, options)).toBe(true);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('accepts the library’s timestamps of real days, leap days included', () => {
    for (const text of [
      '2024-02-29T23:59:59.999Z',
      '2000-02-29T00:00:00.000Z',
      '1000-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
      new Date().toISOString(),
    ]) {
      expect(acceptedByIsISO8601(text)).toBe(true);
    }
  });

  it('leaves every other value to the constraint', () => {
    for (const value of [
      '1900-02-29T00:00:00.000Z',
      '2023-02-29T00:00:00.000Z',
      '2024-04-31T00:00:00.000Z',
      '0999-01-01T00:00:00.000Z',
      '2024-01-01T24:00:00.000Z',
      '2024-01-01T00:60:00.000Z',
      '2024-01-01T00:00:60.000Z',
      '2024-01-01 00:00:00.000Z',
      '2024-01-01T00:00:00.000+00:00',
      '2024-01-01T00:00:00Z',
      '+02024-01-01T00:00:00.000Z',
      new Date(),
      null,
      20240101,
    ]) {
      expect(acceptedByIsISO8601(value)).toBe(false);
    }
  });
});

describe('isCanonicalTimestamp', () => {
  const anyText = fc.oneof(nearCanonical, mutated, fc.string());

  it('holds only for text a Date parses and prints back unchanged, within the years 1 to 9999', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        if (!isCanonicalTimestamp(text)) return;
        const date = new Date(text);
        expect(isTimestampInRange(date.getTime())).toBe(true);
        expect(date.toISOString()).toBe(text);
      }),
      { numRuns: 20_000 },
    );
  });

  it('holds for every instant toISOString prints from year 1 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -62_135_596_800_000, max: 253_402_300_799_999 }), (ms) => {
        expect(isCanonicalTimestamp(new Date(ms).toISOString())).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });

  it('leaves normalizeTimestamp’s results and errors as they were', () => {
    /** normalizeTimestamp before the shortcut: every value through a Date. */
    const throughDate = (value: unknown): unknown => {
      const date =
        value instanceof Date
          ? value
          : typeof value === 'string' && value !== ''
            ? new Date(value)
            : null;
      if (!date || Number.isNaN(date.getTime()) || !isTimestampInRange(date.getTime())) {
        return 'rejected';
      }
      return date.toISOString();
    };
    const outcome = (value: unknown): unknown => {
      try {
        return normalizeTimestamp('at', value);
      } catch {
        return 'rejected';
      }
    };
    fc.assert(
      fc.property(anyText, (text) => {
        expect(outcome(text)).toBe(throughDate(text));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('acceptedByIsEmail', () => {
  const label = fc.stringMatching(/^[A-Za-z0-9_+.@"-]{0,70}$/);
  /** Addresses near the plain form: odd characters, empty atoms, long parts, digit TLDs. */
  const nearPlain = fc
    .tuple(label, fc.array(fc.stringMatching(/^[A-Za-z0-9_-]{0,66}$/), { maxLength: 4 }), label)
    .map(([user, labels, tld]) => `${user}@${[...labels, tld].join('.')}`);
  /** Plain addresses, hyphens and digits at the edges of labels included. */
  const plain = fc
    .tuple(
      fc.array(fc.stringMatching(/^[A-Za-z0-9_+-]{1,12}$/), { minLength: 1, maxLength: 3 }),
      fc.array(fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/), { minLength: 1, maxLength: 3 }),
      fc.stringMatching(/^[A-Za-z0-9]{1,8}$/),
    )
    .map(([atoms, labels, tld]) => `${atoms.join('.')}@${[...labels, tld].join('.')}`);
  const mutatedEmail = fc
    .tuple(fc.emailAddress(), fc.nat({ max: 80 }), fc.string({ minLength: 1, maxLength: 1 }))
    .map(([text, at, c]) => text.slice(0, at) + c + text.slice(at + 1));

  it('accepts only what class-validator’s IsEmail() without options accepts', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.oneof(plain, fc.emailAddress(), nearPlain, mutatedEmail, fc.string()),
        (text) => {
          if (!acceptedByIsEmail(text)) return;
          accepted++;
          expect(isEmail(text)).toBe(true);
        },
      ),
      { numRuns: 30_000 },
    );
    expect(accepted).toBeGreaterThan(300);
  });

  it('accepts the plain addresses applications write', () => {
    for (const text of [
      'new.user.12@example.org',
      'Ada.Lovelace+billing@Mail.Example.co.uk',
      `${'a'.repeat(64)}@${'b'.repeat(63)}.com`,
      'x_y-z@sub-domain.example.io',
    ]) {
      expect(acceptedByIsEmail(text)).toBe(true);
      expect(isEmail(text)).toBe(true);
    }
  });

  it('leaves every other value to the constraint', () => {
    for (const value of [
      `${'a'.repeat(65)}@example.com`,
      `a@${'b'.repeat(64)}.com`,
      `a@${'b.'.repeat(125)}com`,
      '.a@example.com',
      'a..b@example.com',
      'a@-example.com',
      'a@example-.com',
      'a@example.c',
      'a@example.123',
      'a@ex_ample.com',
      'a@localhost',
      '"quoted"@example.com',
      'Ada <ada@example.com>',
      'üser@example.com',
      'a@b@example.com',
      null,
      42,
    ]) {
      expect(acceptedByIsEmail(value)).toBe(false);
    }
  });

  it('is used for IsEmail only without options, and for IsISO8601 with any', () => {
    expect(fastAcceptFor('isEmail', [undefined])).toBe(acceptedByIsEmail);
    expect(fastAcceptFor('isEmail', [{ allow_display_name: true }])).toBeUndefined();
    expect(fastAcceptFor('isIso8601', [{ strict: true }])).toBe(acceptedByIsISO8601);
    expect(fastAcceptFor('isString', [])).toBeUndefined();
    expect(fastAcceptFor(undefined, undefined)).toBeUndefined();
  });
});

describe('length fast accepts', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ maxLength: 12, unit: 'grapheme' }),
    fc.string({ maxLength: 12, unit: 'binary' }),
    fc
      .array(fc.constantFrom('a', '\uFE0F', '\uFE0E', '\uD83D', '\uDE00', 'é'), { maxLength: 12 })
      .map((c) => c.join('')),
  );

  it('accept only what MaxLength and MinLength accept', () => {
    let accepted = 0;
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 14 }), (value, bound) => {
        if (fastAcceptFor('maxLength', [bound])!(value)) {
          accepted++;
          expect(maxLength(value, bound)).toBe(true);
        }
        if (fastAcceptFor('minLength', [bound])!(value)) {
          accepted++;
          expect(minLength(value, bound)).toBe(true);
        }
      }),
      { numRuns: 20_000 },
    );
    expect(accepted).toBeGreaterThan(5_000);
  });

  it('are used only with a numeric bound', () => {
    expect(fastAcceptFor('maxLength', ['5'])).toBeUndefined();
    expect(fastAcceptFor('minLength', [Number.NaN])).toBeUndefined();
    expect(fastAcceptFor('maxLength', [3])!('abcd')).toBe(false);
    expect(fastAcceptFor('minLength', [1])!('')).toBe(false);
  });
});
