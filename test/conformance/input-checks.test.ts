import {
  PaymentRepository,
  SubscriptionRepository,
  UserRepository,
  WebhookRepository,
} from '../../src/repositories';
import { paymentsTable, subscriptionsTable, usersTable } from '../../src/schema';
import { CONFORMANCE_PROVIDERS, Scope, expectValidation, withProvider } from './conformance-setup';

/** Postgres `integer`, the type of every integer column the library's migrations create. */
const INT32_MAX = 2_147_483_647;
const INT32_MIN = -2_147_483_648;

/** SQLite's LIKE refuses longer patterns (SQLITE_MAX_LIKE_PATTERN_LENGTH); one limit everywhere. */
const PATTERN_LIMIT_BYTES = 50_000;

describe.each(CONFORMANCE_PROVIDERS)('input checks', (provider) => {
  withProvider(provider, (db) => {
    it('rejects an operator whose value is undefined, and skips a property given as undefined', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      for (const op of ['eq', 'neq', 'in', 'like', 'ilike', 'gt', 'gte', 'lt', 'lte', 'isNull']) {
        await expectValidation(
          () =>
            db.adapter.findMany({ filters: { email: { [op]: undefined } } as never }, usersTable),
          'email',
        );
      }
      await expectValidation(
        () => db.adapter.count({ email: { like: '%', eq: undefined } } as never, usersTable),
        'email',
      );
      // A top-level undefined is "not given": what an absent query-string parameter becomes.
      const rows = await db.adapter.findMany(
        { filters: { ...scope.users(), firstName: undefined, search: undefined } },
        usersTable,
      );
      expect(rows.map((r) => r.id)).toEqual([user.id]);
    });

    it('refuses an empty, null or undefined key in every repository finder, naming it', async () => {
      const scope = new Scope();
      const users = new UserRepository(db.adapter);
      const payments = new PaymentRepository(db.adapter);
      const subscriptions = new SubscriptionRepository(db.adapter);
      const webhooks = new WebhookRepository(db.adapter);
      // A row for each finder to return if it dropped the filter.
      const user = await users.create(scope.user({ stripeCustomerId: `cus_${scope.tag}` }));
      await payments.create(scope.payment(user.id));
      await subscriptions.create(scope.subscription(user.id));
      await webhooks.create(scope.webhookEvent());
      const finders: [string, (key: unknown) => Promise<unknown>][] = [
        ['email', (key) => users.findByEmail(key as string)],
        ['stripeCustomerId', (key) => users.findByStripeCustomerId(key as string)],
        ['stripePaymentIntentId', (key) => payments.findByStripePaymentIntentId(key as string)],
        ['userId', (key) => payments.findByUser(key as string)],
        ['stripeSubscriptionId', (key) => subscriptions.findByStripeSubscriptionId(key as string)],
        ['userId', (key) => subscriptions.findActiveByUser(key as string)],
        ['stripeEventId', (key) => webhooks.findByStripeEventId(key as string)],
      ];
      for (const [field, find] of finders) {
        for (const key of [undefined, null, '', 42, { eq: 'x' }, ['x']]) {
          await expectValidation(() => find(key), field);
        }
      }
      for (const key of [undefined, null, 'x', [null], [undefined], ['']]) {
        await expectValidation(() => payments.findByUserIds(key as never), 'userIds');
        await expectValidation(() => subscriptions.findByUserIds(key as never), 'userIds');
      }
      await expectValidation(() => users.attachBilling(null as never), 'users');
      await expectValidation(() => users.attachBilling([null] as never), 'users');
      await expectValidation(() => webhooks.findRetryable(undefined as never), 'maxRetries');
    });

    it("refuses integers outside the column's 32-bit range in writes and filters, naming the field", async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const edge = await db.adapter.create(
        scope.payment(user.id, { amount: INT32_MAX }),
        paymentsTable,
      );
      expect(edge.amount).toBe(INT32_MAX);
      for (const amount of [INT32_MAX + 1, INT32_MIN - 1, Number.MAX_SAFE_INTEGER]) {
        await expectValidation(
          () => db.adapter.create(scope.payment(user.id, { amount }), paymentsTable),
          'amount',
        );
        await expectValidation(
          () => db.adapter.update(edge.id, { amount }, paymentsTable),
          'amount',
        );
        await expectValidation(
          () => db.adapter.findMany({ filters: { amount: { gt: amount } } }, paymentsTable),
          'amount',
        );
        await expectValidation(
          () => db.adapter.count({ amount: [1, amount] }, paymentsTable),
          'amount',
        );
      }
      await expectValidation(
        () => db.adapter.increment(edge.id, 'amount', INT32_MAX + 1, paymentsTable),
        'by',
      );
      await expectValidation(
        () =>
          db.adapter.create(
            scope.subscription(user.id, { quantity: INT32_MAX + 1 }),
            subscriptionsTable,
          ),
        'quantity',
      );
      const found = await db.adapter.findMany(
        { filters: { userId: user.id, amount: { gte: INT32_MAX, lte: INT32_MAX } } },
        paymentsTable,
      );
      expect(found.map((p) => p.id)).toEqual([edge.id]);
    });

    it('refuses a like or ilike pattern that ends in a lone backslash', async () => {
      const scope = new Scope();
      const slash = await db.adapter.create(scope.user({ firstName: 'Back\\' }), usersTable);
      for (const pattern of ['\\', 'Back\\', 'Back\\\\\\', '%\\']) {
        for (const op of ['like', 'ilike']) {
          await expectValidation(
            () =>
              db.adapter.findMany(
                { filters: { ...scope.users(), firstName: { [op]: pattern } } },
                usersTable,
              ),
            'firstName',
          );
        }
      }
      // An escaped backslash is a literal one.
      for (const op of ['like', 'ilike']) {
        const rows = await db.adapter.findMany(
          { filters: { ...scope.users(), firstName: { [op]: 'Back\\\\' } } },
          usersTable,
        );
        expect(rows.map((r) => r.id)).toEqual([slash.id]);
      }
    });

    it('accepts like patterns and search text up to 50,000 bytes, and refuses longer ones', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const atLimit = '%'.repeat(PATTERN_LIMIT_BYTES);
      const live = { email: scope.users().email, firstName: { like: atLimit } };
      expect((await db.adapter.findMany({ filters: live }, usersTable)).map((r) => r.id)).toEqual([
        user.id,
      ]);
      // é is two bytes in UTF-8: the limit counts bytes, not characters.
      const overByBytes = 'é'.repeat(PATTERN_LIMIT_BYTES / 2) + '%';
      for (const op of ['like', 'ilike']) {
        await expectValidation(
          () =>
            db.adapter.findMany(
              { filters: { firstName: { [op]: `${atLimit}%` } } as never },
              usersTable,
            ),
          'firstName',
        );
        await expectValidation(
          () => db.adapter.count({ firstName: { [op]: overByBytes } } as never, usersTable),
          'firstName',
        );
      }
      // The search text is sent as %text% with %, _ and \ escaped: that pattern obeys the limit.
      const longest = 'a'.repeat(PATTERN_LIMIT_BYTES - 2);
      expect(await db.adapter.count({ ...scope.users(), search: longest }, usersTable)).toBe(0);
      await expectValidation(
        () => db.adapter.count({ search: `${longest}a` }, usersTable),
        'search',
      );
      await expectValidation(
        () => db.adapter.findMany({ filters: { search: '%'.repeat(25_000) } }, usersTable),
        'search',
      );
    });

    it('refuses every comparison on a JSON column, an empty IN list included', async () => {
      const bad: unknown[] = [
        { a: 1 },
        'text',
        [],
        [{ a: 1 }],
        { eq: { a: 1 } },
        { neq: 'x' },
        { in: [] },
        { in: [{ a: 1 }] },
        { like: '%' },
        { ilike: '%' },
        { gt: 1 },
        { lte: 'x' },
      ];
      for (const filter of bad) {
        await expectValidation(
          () => db.adapter.findMany({ filters: { metadata: filter } as never }, paymentsTable),
          'metadata',
        );
        await expectValidation(
          () => db.adapter.count({ metadata: filter } as never, subscriptionsTable),
          'metadata',
        );
      }
      await expectValidation(
        () => db.adapter.findMany({ orderBy: { field: 'metadata' } }, paymentsTable),
        'metadata',
      );
    });
  });
});
