import { randomUUID } from 'node:crypto';
import { DatabaseException } from '../../src/exceptions';
import { PaymentRepository, UserRepository, WebhookRepository } from '../../src/repositories';
import { type ResilientAdapter, withResilience } from '../../src/resilience';
import { paymentsTable, usersTable } from '../../src/schema';
import { paymentInput, userInput } from '../repositories/support/billing-fixtures';
import { type OpenedDatabase, RESILIENCE_PROVIDERS } from './support/resilience-providers';

/** Thrown by a transaction's own code halfway through. */
class HalfwayError extends Error {}

for (const provider of RESILIENCE_PROVIDERS) {
  provider.describe(`concurrency on ${provider.name}`, () => {
    let opened: OpenedDatabase;
    let adapter: ResilientAdapter;

    beforeAll(async () => {
      opened = await provider.open();
      adapter = withResilience(opened.adapter);
    });
    afterAll(() => opened?.dispose());

    it('runs 200 concurrent creates and transactions: rows of every success, none of any failure', async () => {
      const users = new UserRepository(adapter);
      const payments = new PaymentRepository(adapter);
      const taken = await users.create(userInput());
      const committed: string[] = [];
      const rolledBack: string[] = [];
      const rolledBackPayments: string[] = [];

      const operation = async (i: number): Promise<void> => {
        const a = userInput();
        const b = userInput();
        switch (i % 5) {
          case 0:
          case 1:
            await users.create(a);
            committed.push(a.email);
            return;
          case 2: {
            await adapter.transaction(async () => {
              const user = await users.create(a);
              await users.create(b);
              await payments.create(paymentInput(user.id));
            });
            committed.push(a.email, b.email);
            return;
          }
          case 3: {
            // The transaction's own code fails after two writes.
            const payment = paymentInput(randomUUID());
            rolledBack.push(a.email, b.email);
            rolledBackPayments.push(payment.stripePaymentIntentId);
            await expect(
              adapter.transaction(async () => {
                const user = await users.create(a);
                await payments.create({ ...payment, userId: user.id });
                await users.create(b);
                throw new HalfwayError('halfway');
              }),
            ).rejects.toBeInstanceOf(HalfwayError);
            return;
          }
          case 4: {
            // The database refuses the second write (a taken email): the first is undone too.
            rolledBack.push(a.email);
            await expect(
              adapter.transaction(async () => {
                await users.create(a);
                await users.create(userInput({ email: taken.email }));
              }),
            ).rejects.toBeInstanceOf(DatabaseException);
          }
        }
      };

      await Promise.all(Array.from({ length: 200 }, (_, i) => operation(i)));

      expect(committed).toHaveLength(80 + 40 * 2);
      expect(await adapter.count({ email: committed }, usersTable)).toBe(committed.length);
      expect(await adapter.count({ email: rolledBack }, usersTable)).toBe(0);
      expect(
        await adapter.count({ stripePaymentIntentId: rolledBackPayments }, paymentsTable),
      ).toBe(0);
      expect(await adapter.count(undefined, usersTable)).toBe(committed.length + 1);
    });

    it('records the same Stripe event 20 times at once: one row, one caller told it is new', async () => {
      const webhooks = new WebhookRepository(adapter);
      const stripeEventId = `evt_${randomUUID().replace(/-/g, '')}`;
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          webhooks.recordIfNew({ stripeEventId, eventType: 'invoice.paid', payload: { n: 1 } }),
        ),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.event.id)).size).toBe(1);
      expect(await webhooks.count({ stripeEventId })).toBe(1);
    });
  });
}
