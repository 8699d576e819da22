import type { CreateInput } from '../../src/schema/table-definition';
import type { ISubscriptionEntity } from '../../src/entities/subscription.entity';
import {
  paymentsTable,
  subscriptionsTable,
  usersTable,
  webhookEventsTable,
} from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  ISO_UTC_MILLIS,
  Scope,
  UUID_V4,
  expectValidation,
  sleep,
  withProvider,
} from './conformance-setup';

const NESTED_JSON = {
  nested: { deep: { deeper: [1, 'two', { three: true, four: null }] } },
  unicode: 'héllo 🌍 日本語 \u00e9\u0301 "quotes" \\ back',
  emptyObject: {},
  emptyArray: [],
  numbers: [0, -1, 1.5, 9007199254740991, 1e-7],
  booleans: [true, false],
  'key with spaces': 'x',
  ключ: 'значение',
};

describe.each(CONFORMANCE_PROVIDERS)('values', (provider) => {
  withProvider(provider, (db) => {
    it('round-trips booleans and nullable columns exactly', async () => {
      const scope = new Scope();
      for (const emailVerified of [true, false]) {
        const input = scope.user({
          emailVerified,
          phone: emailVerified ? '+14155550123' : null,
          avatarUrl: emailVerified ? 'https://example.test/a.png' : null,
          passwordHash: emailVerified ? '$2b$10$hash' : null,
        });
        const created = await db.adapter.create(input, usersTable);
        const found = await db.adapter.findById(created.id, usersTable);
        expect(found).toEqual(created);
        expect(found).toMatchObject(input);
        expect(typeof found?.emailVerified).toBe('boolean');
      }
      const subscriber = await db.adapter.create(scope.user(), usersTable);
      const sub = await db.adapter.create(
        scope.subscription(subscriber.id, { cancelAtPeriodEnd: true }),
        subscriptionsTable,
      );
      expect((await db.adapter.findById(sub.id, subscriptionsTable))?.cancelAtPeriodEnd).toBe(true);
    });

    it('returns null for nullable properties left out', async () => {
      const scope = new Scope();
      const { phone: _phone, lastLogin: _lastLogin, ...input } = scope.user();
      const created = await db.adapter.create(
        input as unknown as ReturnType<Scope['user']>,
        usersTable,
      );
      const found = await db.adapter.findById(created.id, usersTable);
      expect(found?.phone).toBeNull();
      expect(found?.lastLogin).toBeNull();
      expect(created.phone).toBeNull();
    });

    it('round-trips JSON objects: nested, unicode, arrays', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const payment = await db.adapter.create(
        scope.payment(user.id, { metadata: NESTED_JSON }),
        paymentsTable,
      );
      expect(payment.metadata).toEqual(NESTED_JSON);
      expect((await db.adapter.findById(payment.id, paymentsTable))?.metadata).toEqual(NESTED_JSON);

      const payload = {
        id: 'evt_1',
        data: { object: { items: [{ a: 1 }, { b: [2, 3] }] } },
        NESTED_JSON,
      };
      const event = await db.adapter.create(scope.webhookEvent({ payload }), webhookEventsTable);
      expect((await db.adapter.findById(event.id, webhookEventsTable))?.payload).toEqual(payload);

      const updated = await db.adapter.update(
        payment.id,
        { metadata: { replaced: ['yes'] } },
        paymentsTable,
      );
      expect(updated.metadata).toEqual({ replaced: ['yes'] });
      expect((await db.adapter.findById(payment.id, paymentsTable))?.metadata).toEqual({
        replaced: ['yes'],
      });
    });

    it('stores money as integer cents and refuses fractions', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      for (const amount of [0, 1, 1999, 99_999_999]) {
        const payment = await db.adapter.create(scope.payment(user.id, { amount }), paymentsTable);
        const found = await db.adapter.findById(payment.id, paymentsTable);
        expect(found?.amount).toBe(amount);
        expect(Number.isInteger(found?.amount)).toBe(true);
      }
      await expectValidation(
        () => db.adapter.create(scope.payment(user.id, { amount: 19.99 }), paymentsTable),
        'amount',
      );
      await expectValidation(
        () => db.adapter.create(scope.payment(user.id, { amount: Number.NaN }), paymentsTable),
        'amount',
      );
    });

    it('returns timestamps as ISO-8601 UTC strings with milliseconds; Date input is normalized', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(
        scope.user({ lastLogin: new Date('2024-05-01T12:34:56.789Z') as unknown as string }),
        usersTable,
      );
      expect(user.lastLogin).toBe('2024-05-01T12:34:56.789Z');
      for (const value of [user.createdAt, user.updatedAt]) expect(value).toMatch(ISO_UTC_MILLIS);

      const input: CreateInput<ISubscriptionEntity> = scope.subscription(user.id, {
        currentPeriodStart: '2024-05-01T14:00:00+02:00',
        currentPeriodEnd: '2024-06-01T12:00:00Z',
        trialStart: new Date(Date.UTC(2024, 3, 1)) as unknown as string,
        trialEnd: '2024-04-15T00:00:00.5Z',
      });
      const sub = await db.adapter.create(input, subscriptionsTable);
      const found = await db.adapter.findById(sub.id, subscriptionsTable);
      for (const row of [sub, found]) {
        expect(row).toMatchObject({
          currentPeriodStart: '2024-05-01T12:00:00.000Z',
          currentPeriodEnd: '2024-06-01T12:00:00.000Z',
          trialStart: '2024-04-01T00:00:00.000Z',
          trialEnd: '2024-04-15T00:00:00.500Z',
          canceledAt: null,
        });
      }
      await expectValidation(
        () => db.adapter.update(user.id, { lastLogin: 'yesterday' }, usersTable),
        'lastLogin',
      );
    });

    it('makes ids UUID v4 and sets createdAt and updatedAt itself', async () => {
      const scope = new Scope();
      const before = new Date().toISOString();
      const [a, b] = await db.adapter.createMany([scope.user(), scope.user()], usersTable);
      const single = await db.adapter.create(scope.user(), usersTable);
      const after = new Date().toISOString();
      for (const row of [a, b, single]) {
        expect(row.id).toMatch(UUID_V4);
        expect(row.createdAt).toBe(row.updatedAt);
        expect(row.createdAt >= before && row.createdAt <= after).toBe(true);
      }
      expect(new Set([a.id, b.id, single.id]).size).toBe(3);
      for (const managed of ['id', 'createdAt', 'updatedAt', 'deletedAt']) {
        await expectValidation(
          () =>
            db.adapter.create(
              { ...scope.user(), [managed]: managed === 'id' ? a.id : before } as ReturnType<
                Scope['user']
              >,
              usersTable,
            ),
          managed,
        );
      }
    });

    it('bumps updatedAt on update and keeps createdAt', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      await sleep(5);
      const updated = await db.adapter.update(user.id, { firstName: 'Changed' }, usersTable);
      expect(updated.firstName).toBe('Changed');
      expect(updated.createdAt).toBe(user.createdAt);
      expect(updated.updatedAt).toMatch(ISO_UTC_MILLIS);
      expect(updated.updatedAt > user.updatedAt).toBe(true);
      expect(updated.email).toBe(user.email);
      expect(await db.adapter.findById(user.id, usersTable)).toEqual(updated);
      await expectValidation(
        () => db.adapter.update(user.id, { createdAt: user.createdAt } as never, usersTable),
        'createdAt',
      );
    });

    it('refuses text with NUL characters, which Postgres cannot store', async () => {
      const scope = new Scope();
      await expectValidation(
        () => db.adapter.create(scope.user({ firstName: 'a\u0000b' }), usersTable),
        'firstName',
      );
      const user = await db.adapter.create(scope.user(), usersTable);
      await expectValidation(
        () =>
          db.adapter.create(
            scope.payment(user.id, { metadata: { note: 'a\u0000b' } }),
            paymentsTable,
          ),
        'metadata',
      );
    });
  });
});
