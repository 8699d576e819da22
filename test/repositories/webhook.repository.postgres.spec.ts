import { PostgresAdapter } from '../../src/adapters/postgres';
import { PaymentRepository } from '../../src/repositories/payment.repository';
import { UserRepository } from '../../src/repositories/user.repository';
import { WebhookRepository } from '../../src/repositories/webhook.repository';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import { paymentInput, userInput } from './support/billing-fixtures';

// SQLite serializes everything on one connection; a pool runs these calls truly side by side.
describeWithPostgres('Repositories under concurrency on PostgreSQL', () => {
  let database: TestDatabase;
  let adapter: PostgresAdapter;

  beforeAll(async () => {
    database = await createTestDatabase('repositories');
    adapter = await PostgresAdapter.open({ connectionString: database.url, migrate: true });
  });

  afterAll(async () => {
    await adapter?.close();
    await database?.drop();
  });

  it('recordIfNew stores one row and reports one creation for 20 simultaneous deliveries', async () => {
    const webhooks = new WebhookRepository(adapter);
    const event = { stripeEventId: 'evt_pg_race', eventType: 'invoice.paid', payload: { n: 1 } };

    const results = await Promise.all(
      Array.from({ length: 20 }, () => webhooks.recordIfNew(event)),
    );

    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.event.id)).size).toBe(1);
    expect(await webhooks.count({ stripeEventId: 'evt_pg_race' }, { includeDeleted: true })).toBe(
      1,
    );
  });

  it('upsertByStripeId keeps one payment row when the same intent arrives concurrently', async () => {
    const user = await new UserRepository(adapter).create(userInput());
    const payments = new PaymentRepository(adapter);
    const input = paymentInput(user.id);

    const results = await Promise.all(
      Array.from({ length: 10 }, () => payments.upsertByStripeId(input)),
    );

    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await payments.count({ stripePaymentIntentId: input.stripePaymentIntentId })).toBe(1);
  });

  it('markFailed adds one per sequential failure inside a transaction', async () => {
    const webhooks = new WebhookRepository(adapter);
    const { event } = await webhooks.recordIfNew({
      stripeEventId: 'evt_pg_fail',
      eventType: 'invoice.payment_failed',
      payload: {},
    });

    for (let i = 0; i < 3; i += 1) await webhooks.markFailed(event.id, `attempt ${i}`);

    expect(await webhooks.findById(event.id)).toMatchObject({
      retryCount: 3,
      errorMessage: 'attempt 2',
    });
    expect((await webhooks.findRetryable(3)).map((e) => e.id)).not.toContain(event.id);
    expect((await webhooks.findRetryable(4)).map((e) => e.id)).toContain(event.id);
  });
});
