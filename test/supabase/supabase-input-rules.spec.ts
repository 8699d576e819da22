/**
 * The input rules of the conformance suite's `input-checks` and `sensitive-columns` files, held
 * at Supabase's fetch boundary: what is refused never becomes a request, what is allowed goes out
 * as one PostgREST parameter, and what comes back (rows, PostgREST error bodies in the format of
 * docs/references/errors.rst) hides sensitive values the same way as on SQL providers.
 */
import { inspect } from 'node:util';
import { UserRole, UserStatus, type IUserEntity } from '../../src/entities/user.entity';
import { ValidationException } from '../../src/exceptions';
import { UserRepository, WebhookRepository } from '../../src/repositories';
import { MAX_LIKE_PATTERN_BYTES } from '../../src/query';
import { allowQueriesOn, paymentsTable, usersTable, type CreateInput } from '../../src/schema';
import { fakeAdapter, ok, OWNER_ID, pgError, rejection } from './support/fake-postgrest';

const HASH = '$2b$10$S3cr3tSaltAndHashThatMustNeverLeak0123456789abcdefghi';
const USER_ID = '3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';

/** A users row as PostgREST prints it. */
function userRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: USER_ID,
    email: 'ada@example.com',
    first_name: 'Ada',
    last_name: 'Lovelace',
    password_hash: HASH,
    role: 'User',
    status: 'Active',
    email_verified: true,
    phone: null,
    avatar_url: null,
    stripe_customer_id: null,
    last_login: null,
    created_at: '2024-01-01T00:00:00.123+00:00',
    updated_at: '2024-01-01T00:00:00.123+00:00',
    deleted_at: null,
    ...overrides,
  };
}

/** A create input for {@link userRow}'s user. */
function userInput(overrides: Partial<CreateInput<IUserEntity>> = {}): CreateInput<IUserEntity> {
  return {
    email: 'ada@example.com',
    firstName: 'Ada',
    lastName: 'Lovelace',
    passwordHash: HASH,
    role: UserRole.User,
    status: UserStatus.Active,
    emailVerified: true,
    ...overrides,
  } as CreateInput<IUserEntity>;
}

/** Asserts that `work` fails with a ValidationException naming `field` and sends no request. */
async function refusedUnsent(
  work: (adapter: ReturnType<typeof fakeAdapter>['adapter']) => Promise<unknown>,
  field: string,
): Promise<void> {
  const { adapter, fake } = fakeAdapter();
  const error = await rejection(work(adapter));
  expect(error).toBeInstanceOf(ValidationException);
  expect((error as ValidationException).field).toBe(field);
  expect(fake.requests).toHaveLength(0);
}

/** The filter parameters of the only request: select, order and the soft-delete filter dropped. */
function filterParams(fake: ReturnType<typeof fakeAdapter>['fake']): [string, string][] {
  return fake
    .only()
    .params.filter(
      ([k, v]) => k !== 'select' && k !== 'order' && !(k === 'deleted_at' && v === 'is.null'),
    );
}

describe('Supabase input rules (at the fetch boundary)', () => {
  it('refuses an operator whose value is undefined, and skips a property given as undefined', async () => {
    await refusedUnsent(
      (a) => a.findMany({ filters: { email: { eq: undefined } } }, usersTable),
      'email',
    );
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    await adapter.findMany({ filters: { email: undefined, role: 'User' } }, usersTable);
    expect(filterParams(fake)).toEqual([['role', 'eq.User']]);
  });

  it('refuses an empty, null or undefined finder key without a request', async () => {
    for (const key of [undefined, null, '']) {
      await refusedUnsent((a) => new UserRepository(a).findByEmail(key as never), 'email');
      await refusedUnsent(
        (a) => new WebhookRepository(a).findByStripeEventId(key as never),
        'stripeEventId',
      );
    }
  });

  it("refuses integers beyond the column's 32-bit range, in writes and filters", async () => {
    await refusedUnsent(
      (a) => a.findMany({ filters: { amount: { gt: 2_147_483_648 } } }, paymentsTable),
      'amount',
    );
    await refusedUnsent((a) => a.count({ amount: [-2_147_483_649] }, paymentsTable), 'amount');
    await refusedUnsent(
      (a) =>
        a.create(
          {
            stripePaymentIntentId: 'pi_1',
            userId: OWNER_ID,
            amount: 2 ** 31,
            currency: 'usd',
            status: 'succeeded',
            metadata: {},
          } as never,
          paymentsTable,
        ),
      'amount',
    );
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    await adapter.findMany({ filters: { amount: { lte: 2_147_483_647 } } }, paymentsTable);
    expect(filterParams(fake)).toEqual([['amount', 'lte.2147483647']]);
  });

  it('refuses a like or ilike pattern ending in a lone backslash; an escaped one goes out', async () => {
    for (const op of ['like', 'ilike']) {
      await refusedUnsent(
        (a) => a.findMany({ filters: { firstName: { [op]: 'Back\\' } } }, usersTable),
        'firstName',
      );
    }
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    await adapter.findMany({ filters: { firstName: { like: 'Back\\\\' } } }, usersTable);
    expect(filterParams(fake)).toEqual([['first_name', 'like.Back\\\\']]);
  });

  it('holds like patterns and search text to the 50,000-byte limit', async () => {
    expect(MAX_LIKE_PATTERN_BYTES).toBe(50_000);
    const atLimit = 'a'.repeat(MAX_LIKE_PATTERN_BYTES - 1) + '%';
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    await adapter.findMany({ filters: { firstName: { like: atLimit } } }, usersTable);
    expect(filterParams(fake)).toEqual([['first_name', `like.${atLimit}`]]);
    await refusedUnsent(
      (a) => a.findMany({ filters: { firstName: { ilike: `${atLimit}%` } } }, usersTable),
      'firstName',
    );
    await refusedUnsent(
      (a) => a.findMany({ filters: { firstName: { like: 'é'.repeat(25_001) } } }, usersTable),
      'firstName',
    );
    await refusedUnsent(
      (a) =>
        a.findMany({ filters: { search: 'a'.repeat(MAX_LIKE_PATTERN_BYTES - 1) } }, usersTable),
      'search',
    );
  });

  it('refuses every comparison on a JSON column, an empty IN list included, without a request', async () => {
    for (const filter of [[], { in: [] }, { eq: { a: 1 } }, 'x', { gt: 1 }, { like: '%' }]) {
      await refusedUnsent(
        (a) => a.findMany({ filters: { metadata: filter } as never }, paymentsTable),
        'metadata',
      );
    }
  });

  it('refuses filters and orders on a sensitive column unless the table opts in', async () => {
    await refusedUnsent(
      (a) => a.findMany({ filters: { passwordHash: { like: '$2b$10$S%' } } }, usersTable),
      'passwordHash',
    );
    await refusedUnsent(
      (a) => a.findMany({ orderBy: { field: 'passwordHash' } }, usersTable),
      'passwordHash',
    );
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    const optedIn = allowQueriesOn(usersTable, ['passwordHash']);
    await adapter.findMany({ filters: { passwordHash: HASH } }, optedIn);
    expect(filterParams(fake)).toEqual([['password_hash', `eq.${HASH}`]]);
  });

  it('hides a sensitive value of a returned row from inspect and JSON, readable by name', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([userRow()]), ok(userRow(), 201));
    const found = await adapter.findById(USER_ID, usersTable);
    const created = await adapter.create(userInput(), usersTable);
    for (const user of [found!, created]) {
      expect(user.passwordHash).toBe(HASH);
      expect(inspect(user)).not.toContain(HASH);
      expect(JSON.stringify({ user })).not.toContain(HASH);
      expect(Object.keys(user)).not.toContain('passwordHash');
    }
  });

  it("redacts the failing row of a PostgREST constraint error from the exception's cause", async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(
      pgError(
        400,
        '23514',
        'new row for relation "users" violates check constraint "users_role_check"',
        `Failing row contains (${USER_ID}, ada@example.com, Ada, Lovelace, ${HASH}, Emperor, Active, t).`,
      ),
    );
    const error = await rejection(
      adapter.create(userInput({ role: 'Emperor' as never }), usersTable),
    );
    expect(error).toBeInstanceOf(ValidationException);
    const cause = (error as Error).cause as Record<string, unknown>;
    expect(cause.details).toBe('Failing row contains ([REDACTED])');
    expect(cause.code).toBe('23514');
    for (const shown of [inspect(error, { depth: 10 }), JSON.stringify(cause), String(error)]) {
      expect(shown).not.toContain(HASH);
      expect(shown).not.toContain('ada@example.com');
    }
  });
});
