import { SubscriptionEntity, SubscriptionStatus } from '../../src/entities/subscription.entity';
import {
  ACTIVE_SUBSCRIPTION_STATUSES,
  SubscriptionRepository,
} from '../../src/repositories/subscription.repository';
import { UserRepository } from '../../src/repositories/user.repository';
import { subscriptionInput, userInput } from './support/billing-fixtures';
import { openSqliteTestDatabase, type SqliteTestDatabase } from './support/sqlite-test-database';

describe('SubscriptionRepository on SQLite', () => {
  let db: SqliteTestDatabase;
  let subscriptions: SubscriptionRepository;
  let userId: string;

  beforeEach(async () => {
    db = await openSqliteTestDatabase();
    subscriptions = new SubscriptionRepository(db.adapter);
    userId = (await new UserRepository(db.adapter).create(userInput())).id;
  });

  afterEach(async () => {
    await db.close();
  });

  it('fills metadata, cancelAtPeriodEnd and quantity defaults', async () => {
    const subscription = await subscriptions.create(subscriptionInput(userId));

    expect(subscription).toBeInstanceOf(SubscriptionEntity);
    expect(subscription).toMatchObject({ metadata: {}, cancelAtPeriodEnd: false, quantity: 1 });
  });

  it('rejects quantity 0, bad dates and an unknown status in one exception', async () => {
    await expect(
      subscriptions.create(
        subscriptionInput(userId, {
          quantity: 0,
          currentPeriodEnd: 'next month',
          status: 'live' as SubscriptionStatus,
        }),
      ),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      violations: expect.arrayContaining([
        expect.objectContaining({ field: 'quantity' }),
        expect.objectContaining({ field: 'currentPeriodEnd' }),
        expect.objectContaining({ field: 'status' }),
      ]),
    });
  });

  it('upsertByStripeId inserts once, then updates the same row', async () => {
    const input = subscriptionInput(userId, { status: SubscriptionStatus.Trialing });

    const first = await subscriptions.upsertByStripeId(input);
    const second = await subscriptions.upsertByStripeId({
      ...input,
      status: SubscriptionStatus.Canceled,
      canceledAt: '2024-05-20T10:00:00.000Z',
    });

    expect([first.created, second.created]).toEqual([true, false]);
    expect(second.record.id).toBe(first.record.id);
    const found = await subscriptions.findByStripeSubscriptionId(input.stripeSubscriptionId);
    expect(found).toMatchObject({
      status: SubscriptionStatus.Canceled,
      canceledAt: '2024-05-20T10:00:00.000Z',
    });
    expect(await subscriptions.count()).toBe(1);
  });

  it('findActiveByUser returns active, trialing and past_due subscriptions, latest period end first', async () => {
    const statuses = Object.values(SubscriptionStatus);
    for (const [i, status] of statuses.entries()) {
      await subscriptions.create(
        subscriptionInput(userId, {
          status,
          currentPeriodEnd: `2024-06-${String(10 + i).padStart(2, '0')}T00:00:00.000Z`,
        }),
      );
    }
    const other = (await new UserRepository(db.adapter).create(userInput())).id;
    await subscriptions.create(subscriptionInput(other));

    const active = await subscriptions.findActiveByUser(userId);

    expect(active.map((s) => s.status).sort()).toEqual([...ACTIVE_SUBSCRIPTION_STATUSES].sort());
    const ends = active.map((s) => s.currentPeriodEnd);
    expect(ends).toEqual([...ends].sort().reverse());
  });
});
