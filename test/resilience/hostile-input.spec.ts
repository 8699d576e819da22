import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import type { FindOptions, IFilterOptions } from '../../src/adapters/database-adapter.interface';
import { mapPgliteError, PGliteAdapter } from '../../src/adapters/pglite';
import { mapPostgresError, PostgresAdapter } from '../../src/adapters/postgres';
import { mapSqliteError, SQLiteAdapter } from '../../src/adapters/sqlite';
import { SupabaseAdapter } from '../../src/adapters/supabase';
import { DatabaseException, ValidationException } from '../../src/exceptions';
import type { IUserEntity } from '../../src/entities/user.entity';
import { DEFAULT_QUERY_LIMITS, planFind } from '../../src/query/plan-query';
import { withResilience } from '../../src/resilience';
import { usersTable } from '../../src/schema';
import { faultyFetch } from '../support/faults/faulty-fetch';
import { type OpenedDatabase, RESILIENCE_PROVIDERS } from './support/resilience-providers';

// ---- hostile values ---------------------------------------------------------------------------

/** Pieces that break naive SQL or PostgREST building. */
const HOSTILE = [
  "'",
  "''",
  '"',
  '--',
  ';',
  "'; DROP TABLE users; --",
  '\u0000',
  '%',
  '_',
  '\\',
  '\\%',
  '*',
  '),or(id.gt.0',
  ',',
  '.',
  '(',
  ')',
  'or=(id.neq.0)',
  '&select=*',
  '?',
  '#',
  '/* */',
  '\n',
  '\r\n',
  '\t',
  'Zoë',
  'ZOË',
  'straße',
  'İı',
  '🙂',
  '\u{1F600}\u{1F600}',
  '\u202e',
  '\uFEFF',
  'e\u0301',
  '\uD800',
  'null',
  'NULL',
  'undefined',
  'true',
  '1=1',
  'ab',
  'AB',
  'x'.repeat(3000),
];

const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc
    .array(fc.constantFrom(...HOSTILE), { minLength: 1, maxLength: 4 })
    .map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

/** Seeded rows hold the same hostile pieces, so filters built from them match some rows. */
const SEED_NAMES = [
  "O'Brien",
  'a--b',
  "x'; DROP TABLE users; --",
  '100%',
  'under_score',
  '),or(id.gt.0',
  '*star*',
  'back\\slash',
  '"quoted"',
  'Zoë',
  'ZOË straße',
  '🙂 smile',
  '\u202e rtl',
  'plain ab',
  'PLAIN AB',
  'x'.repeat(3000),
];

const STRING_FIELDS = ['email', 'firstName', 'lastName', 'phone', 'avatarUrl', 'stripeCustomerId'];
const OPERATORS = ['eq', 'neq', 'in', 'like', 'ilike', 'gt', 'gte', 'lt', 'lte', 'isNull'];

const fieldName = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(...STRING_FIELDS) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('id', 'role', 'emailVerified', 'createdAt', 'deletedAt'),
  },
  { weight: 1, arbitrary: hostileText },
);

const scalar = fc.oneof(
  { weight: 8, arbitrary: hostileText },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.double()) },
);

const operatorObject = fc.dictionary(
  fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom(...OPERATORS) },
    { weight: 1, arbitrary: hostileText },
  ),
  fc.oneof(scalar, fc.array(scalar, { maxLength: 4 })),
  { minKeys: 1, maxKeys: 1 },
);

const filterValue = fc.oneof(scalar, fc.array(scalar, { maxLength: 5 }), operatorObject);

const findOptions: fc.Arbitrary<FindOptions> = fc.record(
  {
    filters: fc
      .tuple(
        fc.dictionary(fieldName, filterValue, { maxKeys: 2 }),
        fc.option(hostileText, { nil: undefined }),
      )
      .map(
        ([filters, search]) =>
          (search === undefined ? filters : { ...filters, search }) as IFilterOptions,
      ),
    orderBy: fc.record({
      field: fieldName,
      direction: fc.oneof(
        { weight: 10, arbitrary: fc.constantFrom('asc' as const, 'desc' as const) },
        { weight: 1, arbitrary: hostileText as fc.Arbitrary<'asc'> },
      ),
    }),
  },
  { requiredKeys: ['filters'] },
);

// ---- the oracle: does a row satisfy a filter? ------------------------------------------------

/**
 * A lone UTF-16 surrogate cannot be encoded as UTF-8: every provider's driver (and the URL of a
 * PostgREST request) sends U+FFFD in its place, so the oracle compares against that.
 */
const wellFormed = (text: string) =>
  text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');

/** ASCII-only lower-casing, as the library's ilike and search do. */
const foldAscii = (text: string) => text.replace(/[A-Z]/g, (ch) => ch.toLowerCase());

/** A LIKE pattern (`%`, `_`, `\` escapes) as a JS regex over code points. */
function likeRegex(pattern: string): RegExp {
  let source = '';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    let ch = chars[i];
    if (ch === '%') source += '[\\s\\S]*';
    else if (ch === '_') source += '[\\s\\S]';
    else {
      if (ch === '\\' && i + 1 < chars.length) ch = chars[++i];
      source += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 'su');
}

/** Compares by code point, as Postgres' "C" collation and SQLite's BINARY do. */
function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** Whether `row` satisfies one operator, or undefined when the oracle does not judge it. */
function satisfies(actual: unknown, op: string, raw: unknown): boolean | undefined {
  const operand =
    typeof raw === 'string'
      ? wellFormed(raw)
      : Array.isArray(raw)
        ? raw.map((v: unknown) => (typeof v === 'string' ? wellFormed(v) : v))
        : raw;
  if (op === 'isNull') return operand ? actual == null : actual != null;
  if (typeof actual !== 'string' && actual != null) return undefined;
  const value = actual as string | null | undefined;
  switch (op) {
    case 'eq':
      return typeof operand === 'string' ? value === operand : undefined;
    case 'neq':
      return typeof operand === 'string' ? value != null && value !== operand : undefined;
    case 'in':
      return Array.isArray(operand) && operand.every((v) => typeof v === 'string')
        ? value != null && operand.includes(value)
        : undefined;
    case 'like':
    case 'ilike': {
      if (typeof operand !== 'string' || value == null)
        return typeof operand === 'string' ? false : undefined;
      return op === 'like'
        ? likeRegex(operand).test(value)
        : likeRegex(foldAscii(operand)).test(foldAscii(value));
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof operand !== 'string') return undefined;
      if (value == null) return false;
      const c = compareCodePoints(value, operand);
      return op === 'gt' ? c > 0 : op === 'gte' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
    }
    default:
      return undefined;
  }
}

/** The filter conditions a returned row breaks, as readable strings (empty when it fits). */
function violations(row: IUserEntity, filters: IFilterOptions): string[] {
  const broken: string[] = [];
  const record = row as unknown as Record<string, unknown>;
  for (const [key, filter] of Object.entries(filters)) {
    if (key === 'search') {
      const needle = foldAscii(wellFormed(filter as string));
      const hit = ['email', 'firstName', 'lastName'].some((f) =>
        foldAscii(String(record[f] ?? '')).includes(needle),
      );
      if (!hit) broken.push(`search ${JSON.stringify(filter)}`);
      continue;
    }
    if (!STRING_FIELDS.includes(key)) continue;
    const actual = record[key];
    let ok: boolean | undefined;
    if (filter === null) ok = actual == null;
    else if (Array.isArray(filter)) ok = satisfies(actual, 'in', filter);
    else if (typeof filter === 'object' && !(filter instanceof Date)) {
      const results = Object.entries(filter).map(([op, operand]) => satisfies(actual, op, operand));
      ok = results.includes(false) ? false : undefined;
    } else ok = satisfies(actual, 'eq', filter);
    if (ok === false) broken.push(`${key} ${JSON.stringify(filter)}`);
  }
  return broken;
}

// ---- a constraint error raised by the database itself -----------------------------------------

const HASH = '$2b$10$S3cr3tSaltAndHashThatMustNeverLeak0123456789abcdefghi';

/**
 * A NOT NULL violation from the database, mapped as the adapter maps its driver's errors. The
 * library refuses a null for a required column before sending, so the raw driver sends this one.
 */
async function databaseNotNullViolation(opened: OpenedDatabase): Promise<unknown> {
  const sql =
    'INSERT INTO users (id, email, first_name, last_name, password_hash, created_at, updated_at)' +
    " VALUES ($1, NULL, 'Ada', 'Lovelace', $2, '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')";
  const adapter = opened.adapter;
  try {
    if (adapter instanceof PostgresAdapter) await adapter.pool.query(sql, [randomUUID(), HASH]);
    else if (adapter instanceof PGliteAdapter) await adapter.db.query(sql, [randomUUID(), HASH]);
    else if (adapter instanceof SQLiteAdapter)
      adapter.connection.prepare(sql.replace(/\$\d/g, '?')).run(randomUUID(), HASH);
  } catch (error) {
    if (adapter instanceof PostgresAdapter) return mapPostgresError(error, { table: usersTable });
    if (adapter instanceof PGliteAdapter) return mapPgliteError(error, { table: usersTable });
    return mapSqliteError(error, { table: usersTable, operation: 'create' });
  }
  throw new Error('the insert should have violated NOT NULL');
}

/** Messages, own properties and util.inspect of an error and of every cause under it. */
function causeChainText(error: unknown): string {
  const parts = [inspect(error, { depth: 10, showHidden: true })];
  for (let e = error as Error | undefined; e; e = e.cause as Error | undefined) {
    parts.push(e.message, inspect(e, { depth: 10 }));
    for (const key of Object.getOwnPropertyNames(e)) parts.push(String((e as never)[key]));
  }
  return parts.join('\n');
}

// ---- the properties ---------------------------------------------------------------------------

const RUNS = 400;

for (const provider of RESILIENCE_PROVIDERS) {
  provider.describe(`hostile input on ${provider.name}`, () => {
    let opened: OpenedDatabase;
    let tablesBefore: string[];
    const seeded = new Map<string, IUserEntity>();

    beforeAll(async () => {
      opened = await provider.open();
      for (const [i, name] of SEED_NAMES.entries()) {
        const row = await opened.adapter.create<IUserEntity>(
          {
            email: `${name.slice(0, 20)}-${i}@example.com`,
            firstName: name,
            lastName: SEED_NAMES[(i + 3) % SEED_NAMES.length],
            role: 'User',
            status: 'Active',
            emailVerified: i % 2 === 0,
            phone: i % 3 === 0 ? null : name,
          } as never,
          usersTable,
        );
        seeded.set(row.id, row);
      }
      tablesBefore = await opened.tables();
    });
    afterAll(() => opened?.dispose());

    it('answers random hostile filters, operators, orders and search text with matching rows or a typed error', async () => {
      const outcome = { answered: 0, rows: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(findOptions, async (options) => {
          let rows: IUserEntity[];
          try {
            rows = await opened.adapter.findMany<IUserEntity>(options, usersTable);
          } catch (error) {
            if (!(error instanceof DatabaseException)) throw error;
            outcome.refused += 1;
            return;
          }
          outcome.answered += 1;
          outcome.rows += rows.length;
          for (const row of rows) {
            expect(seeded.has(row.id)).toBe(true);
            expect({ id: row.id, broken: violations(row, options.filters ?? {}) }).toEqual({
              id: row.id,
              broken: [],
            });
          }
        }),
        { numRuns: RUNS },
      );
      // The generator must reach the database often, not only bounce off validation.
      expect(outcome.answered).toBeGreaterThan(RUNS / 4);
      expect(outcome.rows).toBeGreaterThan(0);
      expect(await opened.tables()).toEqual(tablesBefore);
      expect(await opened.adapter.count(undefined, usersTable)).toBe(SEED_NAMES.length);
    });

    it('finds each hostile value exactly, by equality and by search', async () => {
      for (const row of seeded.values()) {
        const byName = await opened.adapter.findMany<IUserEntity>(
          { filters: { firstName: row.firstName } },
          usersTable,
        );
        expect(byName.map((r) => r.id)).toEqual([row.id]);
        const searched = await opened.adapter.findMany<IUserEntity>(
          { filters: { search: row.firstName } },
          usersTable,
        );
        expect(searched.map((r) => r.id)).toContain(row.id);
        for (const hit of searched) expect(violations(hit, { search: row.firstName })).toEqual([]);
      }
    });

    it('keeps the row out of a NOT NULL violation raised by the database: message, detail, inspect', async () => {
      const error = await databaseNotNullViolation(opened);
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as Error).cause).toBeDefined();
      expect(causeChainText(error)).toContain('email');
      expect(causeChainText(error)).not.toContain(HASH);
      expect(causeChainText(error)).not.toContain('S3cr3t');
    });

    it('refuses oversized input with a ValidationException, quickly', async () => {
      const resilient = withResilience(opened.adapter);
      const many = Array.from({ length: 100_000 }, (_, i) => `v${i}`);
      for (const adapter of [opened.adapter, resilient]) {
        await expect(
          adapter.findPage({ pagination: { page: 1, limit: 1e9 } }, usersTable),
        ).rejects.toBeInstanceOf(ValidationException);
        await expect(
          adapter.findMany({ filters: { email: many } }, usersTable),
        ).rejects.toBeInstanceOf(ValidationException);
        await expect(adapter.findByIds(many, usersTable)).rejects.toBeInstanceOf(
          ValidationException,
        );
      }
      const huge = 'x'.repeat(10 * 1024 * 1024);
      await expect(
        resilient.create({ email: 'big@example.com', firstName: huge } as never, usersTable),
      ).rejects.toBeInstanceOf(ValidationException);
      await expect(
        resilient.findMany({ filters: { search: huge } }, usersTable),
      ).rejects.toBeInstanceOf(ValidationException);
      expect(await opened.adapter.count(undefined, usersTable)).toBe(SEED_NAMES.length);
    });
  });
}

// ---- Supabase: what reaches the wire ----------------------------------------------------------

/** Splits a PostgREST logic tree or list body (`a,"b,c",d`) at top-level commas, honouring quotes. */
function splitTerms(body: string): string[] {
  const terms: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quoted && ch === '\\') {
      current += ch + body[++i];
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      terms.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  expect(quoted).toBe(false);
  terms.push(current);
  return terms;
}

/** The value of a quoted PostgREST value, which must be the whole of `text`. */
function unquote(text: string): string {
  expect(text.startsWith('"') && text.endsWith('"') && text.length >= 2).toBe(true);
  const inner = text.slice(1, -1);
  // Inside, only escaped quotes and backslashes: an unescaped quote would end the value early.
  expect(/(^|[^\\])(\\\\)*"/.test(inner)).toBe(false);
  return inner.replace(/\\(.)/gs, '$1');
}

describe('hostile input on supabase (at the fetch boundary)', () => {
  it('keeps every value quoted inside its one filter: no extra filter terms reach the URL', async () => {
    const fake = faultyFetch([]);
    const adapter = new SupabaseAdapter({
      url: 'http://127.0.0.1:54321',
      serviceKey: 'service-role-key',
      fetch: fake.fetch,
    });
    await fc.assert(
      fc.asyncProperty(findOptions, async (options) => {
        let plan: ReturnType<typeof planFind> | undefined;
        try {
          plan = planFind(usersTable, options, DEFAULT_QUERY_LIMITS);
        } catch {
          plan = undefined;
        }
        const sent = fake.urls.length;
        try {
          await adapter.findMany(options, usersTable);
        } catch (error) {
          if (!(error instanceof DatabaseException)) throw error;
          expect(fake.urls.length).toBe(sent);
          return;
        }
        if (!plan || plan.conditions.some((c) => c.kind === 'never')) return;
        expect(fake.urls.length).toBe(sent + 1);
        expect(fake.methods[fake.methods.length - 1]).toBe('GET');
        const params = [...fake.urls[fake.urls.length - 1].searchParams];
        const filters = params.filter(
          ([name]) => !['select', 'order', 'limit', 'offset'].includes(name),
        );
        // Exactly one query parameter per planned condition, each carrying only its own value.
        expect(filters).toHaveLength(plan.conditions.length);
        plan.conditions.forEach((condition, i) => {
          const [name, value] = filters[i];
          switch (condition.kind) {
            case 'compare':
              expect([name, value]).toEqual([
                condition.column.column,
                `${condition.op}.${wellFormed(String(condition.value))}`,
              ]);
              break;
            case 'in': {
              expect(name).toBe(condition.column.column);
              expect(value.startsWith('in.(') && value.endsWith(')')).toBe(true);
              const list = splitTerms(value.slice(4, -1)).map(unquote);
              expect(list).toEqual(condition.values.map((v) => wellFormed(String(v))));
              break;
            }
            case 'like': {
              expect(name).toBe(condition.column.column);
              expect(value).toMatch(/^(like|ilike|match|imatch)\./);
              break;
            }
            case 'null':
              expect(name).toBe(condition.column.column);
              expect(value).toBe(condition.isNull ? 'is.null' : 'not.is.null');
              break;
            case 'search': {
              expect(name).toBe('or');
              expect(value.startsWith('(') && value.endsWith(')')).toBe(true);
              const terms = splitTerms(value.slice(1, -1));
              expect(terms).toHaveLength(condition.columns.length);
              terms.forEach((term, t) => {
                const prefix = `${condition.columns[t].column}.`;
                expect(term.startsWith(prefix)).toBe(true);
                const rest = term.slice(prefix.length);
                const dot = rest.indexOf('.');
                expect(['ilike', 'imatch']).toContain(rest.slice(0, dot));
                const pattern = unquote(rest.slice(dot + 1));
                if (rest.startsWith('ilike')) expect(pattern).toBe(wellFormed(condition.pattern));
              });
              break;
            }
            default:
              throw new Error(`unexpected condition ${condition.kind}`);
          }
        });
        const order = params.filter(([name]) => name === 'order');
        expect(order.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 400 },
    );
  });
});
