import { randomUUID } from 'node:crypto';
import { PaymentStatus } from '../../src/entities/payment.entity';
import { SubscriptionStatus } from '../../src/entities/subscription.entity';
import { ValidationException } from '../../src/exceptions';
import { paymentsTable } from '../../src/schema/payments.table';
import {
  PaymentRepository,
  SubscriptionRepository,
  UserRepository,
  WebhookRepository,
} from '../../src/repositories';
import { CONFORMANCE_PROVIDERS, Scope, caught, sortedIds, withProvider } from './conformance-setup';

describe.each(CONFORMANCE_PROVIDERS)('repositories', (provider) => {
  withProvider(provider, (db) => {
    it('stores emails lower-case and finds users by email in any case', async () => {
      const users = new UserRepository(db.adapter);
      const scope = new Scope();
      const mixed = scope.email('Mixed.Case').replace('conf.test', 'Conf.TEST');
      const user = await users.create(scope.user({ email: mixed }));
      expect(user.email).toBe(mixed.toLowerCase());
      expect((await users.findByEmail(mixed.toUpperCase()))?.id).toBe(user.id);
      expect((await users.findByEmail(mixed.toLowerCase()))?.id).toBe(user.id);
      expect(await users.findByEmail(scope.email('nobody'))).toBeNull();
      await users.softDelete(user.id);
      expect(await users.findByEmail(mixed)).toBeNull();
    });

    it('overwrites only the given properties when an upsert updates a live row', async () => {
      const scope = new Scope();
      const user = await new UserRepository(db.adapter).create(scope.user());
      const input = scope.payment(user.id, { description: 'first charge', amount: 500 });
      const first = await db.adapter.upsert(input, paymentsTable, {
        conflictField: 'stripePaymentIntentId',
        onConflict: 'update',
      });
      const { description: _left, ...withoutDescription } = input;
      const second = await db.adapter.upsert(
        { ...withoutDescription, amount: 900 },
        paymentsTable,
        {
          conflictField: 'stripePaymentIntentId',
          onConflict: 'update',
        },
      );
      expect(second.created).toBe(false);
      expect(second.record).toMatchObject({
        id: first.record.id,
        amount: 900,
        description: 'first charge',
      });
      const kept = await db.adapter.upsert({ ...input, amount: 1 }, paymentsTable, {
        conflictField: 'stripePaymentIntentId',
        onConflict: 'ignore',
      });
      expect(kept).toMatchObject({ created: false, record: { id: first.record.id, amount: 900 } });
    });

    it('reports whether an upsert by Stripe id created the row or updated it', async () => {
      const scope = new Scope();
      const user = await new UserRepository(db.adapter).create(scope.user());
      const payments = new PaymentRepository(db.adapter);
      const input = scope.payment(user.id, { status: PaymentStatus.Processing, amount: 500 });
      const first = await payments.upsertByStripeId(input);
      expect(first.created).toBe(true);
      const second = await payments.upsertByStripeId({
        ...input,
        status: PaymentStatus.Succeeded,
        amount: 700,
      });
      expect(second.created).toBe(false);
      expect(second.record).toMatchObject({
        id: first.record.id,
        createdAt: first.record.createdAt,
        status: PaymentStatus.Succeeded,
        amount: 700,
      });
      expect(await payments.count({ stripePaymentIntentId: input.stripePaymentIntentId })).toBe(1);
      expect(await payments.findByStripePaymentIntentId(input.stripePaymentIntentId)).toEqual(
        second.record,
      );

      const subscriptions = new SubscriptionRepository(db.adapter);
      const sub = scope.subscription(user.id);
      expect((await subscriptions.upsertByStripeId(sub)).created).toBe(true);
      const updated = await subscriptions.upsertByStripeId({
        ...sub,
        status: SubscriptionStatus.Canceled,
      });
      expect(updated.created).toBe(false);
      expect(updated.record.status).toBe(SubscriptionStatus.Canceled);
    });

    it('records one webhook event delivered 20 times at once exactly once', async () => {
      const scope = new Scope();
      const webhooks = new WebhookRepository(db.adapter);
      const received = {
        stripeEventId: `evt${scope.tag}`,
        eventType: scope.eventType(),
        payload: { id: `evt${scope.tag}`, type: 'payment_intent.succeeded' },
      };
      const results = await Promise.all(
        Array.from({ length: 20 }, () => webhooks.recordIfNew(received)),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.event.id)).size).toBe(1);
      expect(await webhooks.count({ stripeEventId: received.stripeEventId })).toBe(1);
      const again = await webhooks.recordIfNew(received);
      expect(again.created).toBe(false);
      expect(again.event.payload).toEqual(received.payload);
    });

    it('finds by ids, finds the first match, and answers exists and count with filters', async () => {
      const scope = new Scope();
      const users = new UserRepository(db.adapter);
      const [a, b, c] = await users.createMany([
        scope.user({ firstName: 'Ann', emailVerified: true }),
        scope.user({ firstName: 'Ben', emailVerified: true }),
        scope.user({ firstName: 'Cy', emailVerified: false }),
      ]);
      expect(sortedIds(await users.findByIds([a.id, c.id, randomUUID()]))).toEqual(
        sortedIds([a, c]),
      );
      expect(await users.findByIds([])).toEqual([]);

      expect((await users.findFirst({ ...scope.users(), firstName: 'Ben' }))?.id).toBe(b.id);
      const last = await users.findFirst({
        filters: scope.users(),
        orderBy: { field: 'firstName', direction: 'desc' },
      });
      expect(last?.id).toBe(c.id);
      expect(await users.findFirst({ ...scope.users(), firstName: 'Nobody' })).toBeNull();

      expect(await users.exists(a.id)).toBe(true);
      expect(await users.exists(randomUUID())).toBe(false);
      expect(await users.count(scope.users())).toBe(3);
      expect(await users.count({ ...scope.users(), emailVerified: true })).toBe(2);
      expect(await users.count({ ...scope.users(), firstName: ['Ann', 'Cy'] })).toBe(2);
    });

    it('rejects input that breaks the entity rules before touching the database', async () => {
      const scope = new Scope();
      const users = new UserRepository(db.adapter);
      const error = await caught(() => users.create(scope.user({ email: 'not an email' })));
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as ValidationException).field).toBe('email');
      expect(await users.count(scope.users())).toBe(0);
    });
  });
});
