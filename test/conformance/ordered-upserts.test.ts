import type { IDatabaseAdapter } from '../../src/adapters/database-adapter.interface';
import { PaymentStatus } from '../../src/entities/payment.entity';
import {
  SubscriptionStatus,
  type ISubscriptionEntity,
} from '../../src/entities/subscription.entity';
import { PaymentRepository, SubscriptionRepository } from '../../src/repositories';
import { subscriptionsTable, usersTable } from '../../src/schema';
import type { CreateInput } from '../../src/schema/table-definition';
import { CONFORMANCE_PROVIDERS, Scope, expectValidation, withProvider } from './conformance-setup';

/** Stripe's clock: whole seconds. */
const T0 = 1_717_000_000;

/** A subscription's life as Stripe reports it, one event each, oldest first. */
const LIFE: readonly (Partial<CreateInput<ISubscriptionEntity>> & { created: number })[] = [
  { created: T0, status: SubscriptionStatus.Incomplete, quantity: 1 },
  { created: T0 + 1, status: SubscriptionStatus.Active, quantity: 1 },
  { created: T0 + 7, status: SubscriptionStatus.PastDue, quantity: 1 },
  { created: T0 + 9, status: SubscriptionStatus.Active, quantity: 2 },
  { created: T0 + 30, status: SubscriptionStatus.Active, quantity: 3, cancelAtPeriodEnd: true },
  {
    created: T0 + 95,
    status: SubscriptionStatus.Canceled,
    quantity: 3,
    cancelAtPeriodEnd: true,
    canceledAt: new Date((T0 + 95) * 1000).toISOString(),
  },
];

/** A seeded generator (mulberry32): the same seed gives the same deliveries on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Every event delivered one to three times, in a shuffled order (Fisher–Yates). */
function deliveries<E>(events: readonly E[], seed: number): E[] {
  const next = random(seed);
  const all = events.flatMap((event) =>
    Array.from({ length: 1 + Math.floor(next() * 3) }, () => event),
  );
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all;
}

describe.each(CONFORMANCE_PROVIDERS)('ordered upserts', (provider) => {
  withProvider(provider, (db) => {
    async function newUser(scope: Scope): Promise<string> {
      return (await db.adapter.create(scope.user(), usersTable)).id;
    }

    function upsertAt(
      adapter: IDatabaseAdapter,
      input: CreateInput<ISubscriptionEntity>,
      lastEventAt: string,
    ) {
      return adapter.upsert({ ...input, lastEventAt }, subscriptionsTable, {
        conflictField: 'stripeSubscriptionId',
        onConflict: 'update',
        orderedBy: 'lastEventAt',
      });
    }

    it('inserts, applies a newer or equal value, and keeps the stored row against an older one', async () => {
      const scope = new Scope();
      const input = scope.subscription(await newUser(scope));
      const at = (s: number) => new Date((T0 + s) * 1000).toISOString();
      const inserted = await upsertAt(db.adapter, { ...input, quantity: 1 }, at(10));
      expect(inserted).toMatchObject({ created: true, applied: true, record: { quantity: 1 } });
      const newer = await upsertAt(db.adapter, { ...input, quantity: 2 }, at(20));
      expect(newer).toMatchObject({ created: false, applied: true });
      expect(newer.record).toMatchObject({
        id: inserted.record.id,
        quantity: 2,
        lastEventAt: at(20),
      });
      const equal = await upsertAt(db.adapter, { ...input, quantity: 2 }, at(20));
      expect(equal).toMatchObject({ created: false, applied: true, record: { quantity: 2 } });
      const older = await upsertAt(db.adapter, { ...input, quantity: 9 }, at(15));
      expect(older).toEqual({ created: false, applied: false, record: equal.record });
      expect(await db.adapter.findById(inserted.record.id, subscriptionsTable)).toEqual(
        equal.record,
      );
    });

    it('treats a row that no event wrote (lastEventAt null) as older than any event', async () => {
      const scope = new Scope();
      const stored = await db.adapter.create(
        scope.subscription(await newUser(scope)),
        subscriptionsTable,
      );
      expect(stored.lastEventAt).toBeNull();
      const subscriptions = new SubscriptionRepository(db.adapter);
      const result = await subscriptions.upsertFromStripe(
        {
          ...scope.subscription(stored.userId),
          stripeSubscriptionId: stored.stripeSubscriptionId,
          quantity: 4,
        },
        T0,
      );
      expect(result).toMatchObject({ created: false, applied: true });
      expect(result.record).toMatchObject({
        id: stored.id,
        quantity: 4,
        lastEventAt: new Date(T0 * 1000).toISOString(),
      });
    });

    it('refuses orderedBy without update, without a value, or on a property that cannot order, writing nothing', async () => {
      const scope = new Scope();
      const input = scope.subscription(await newUser(scope));
      const at = new Date(T0 * 1000).toISOString();
      const attempt = (options: object, data: object = { ...input, lastEventAt: at }) =>
        db.adapter.upsert(data as never, subscriptionsTable, {
          conflictField: 'stripeSubscriptionId',
          onConflict: 'update',
          ...options,
        });
      await expectValidation(
        () => attempt({ onConflict: 'ignore', orderedBy: 'lastEventAt' }),
        'orderedBy',
      );
      for (const orderedBy of ['status', 'updatedAt', 'stripeSubscriptionId', 'nope', 42]) {
        await expectValidation(() => attempt({ orderedBy }), 'orderedBy');
      }
      await expectValidation(() => attempt({ orderedBy: 'lastEventAt' }, input), 'lastEventAt');
      expect(
        await db.adapter.count(
          { stripeSubscriptionId: input.stripeSubscriptionId },
          subscriptionsTable,
        ),
      ).toBe(0);
    });

    it('ends in the newest event’s state, whatever the order and duplicates of 50 seeded deliveries', async () => {
      const scope = new Scope();
      const userId = await newUser(scope);
      const subscriptions = new SubscriptionRepository(db.adapter);
      const newest = LIFE[LIFE.length - 1];
      for (let seed = 1; seed <= 50; seed++) {
        const inOrder = scope.subscription(userId);
        const atOnce = scope.subscription(userId);
        const delivered = deliveries(LIFE, seed);
        // One delivery after the other, then all of them at once (concurrent where the provider is).
        for (const { created, ...state } of delivered) {
          await subscriptions.upsertFromStripe({ ...inOrder, ...state }, created);
        }
        const results = await Promise.all(
          delivered.map(({ created, ...state }) =>
            subscriptions.upsertFromStripe({ ...atOnce, ...state }, created),
          ),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        for (const key of [inOrder.stripeSubscriptionId, atOnce.stripeSubscriptionId]) {
          const stored = await subscriptions.findByStripeSubscriptionId(key);
          expect({ seed, ...stored }).toMatchObject({
            seed,
            status: newest.status,
            quantity: newest.quantity,
            cancelAtPeriodEnd: true,
            canceledAt: newest.canceledAt,
            lastEventAt: new Date(newest.created * 1000).toISOString(),
          });
        }
      }
    }, 120_000);

    it('orders payments too, and refuses an eventCreated that is not Stripe’s whole seconds', async () => {
      const scope = new Scope();
      const payments = new PaymentRepository(db.adapter);
      const input = scope.payment(await newUser(scope));
      const steps: [PaymentStatus, number][] = [
        [PaymentStatus.Succeeded, T0 + 5],
        [PaymentStatus.Processing, T0 + 2],
        [PaymentStatus.RequiresPaymentMethod, T0],
      ];
      const results = [];
      for (const [status, created] of steps) {
        results.push(await payments.upsertFromStripe({ ...input, status }, created));
      }
      expect(results.map((r) => [r.created, r.applied])).toEqual([
        [true, true],
        [false, false],
        [false, false],
      ]);
      expect(await payments.findByStripePaymentIntentId(input.stripePaymentIntentId)).toMatchObject(
        {
          status: PaymentStatus.Succeeded,
          lastEventAt: new Date((T0 + 5) * 1000).toISOString(),
        },
      );
      for (const created of [0, -1, 1.5, Number.NaN, '1717000000', 1e16, 3e11]) {
        await expectValidation(
          () => payments.upsertFromStripe(input, created as number),
          'eventCreated',
        );
      }
    });
  });
});
