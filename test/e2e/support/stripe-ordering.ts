import { T0, deliver, event, stripeId } from './stripe-events';
import { paymentIntent } from './stripe-objects';
import { subscription } from './stripe-subscriptions';
import { SECRET, type WebhookHarness } from './stripe-harness';

/** Every order of the given items. */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) =>
    permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [
      item,
      ...rest,
    ]),
  );
}

/**
 * Deliveries of one object's events in every order, some twice: the stored state must always be
 * the one of the newest event (by the event's `created`).
 */
export function orderedDeliveryTests(harness: WebhookHarness): void {
  describe('events delivered out of order and duplicated', () => {
    const linkedCustomer = async (): Promise<string> => (await harness.linkedUser()).customerId;

    it('keeps the newest subscription state whatever the order', async () => {
      for (const order of permutations([0, 1, 2])) {
        const customerId = await linkedCustomer();
        const id = stripeId('sub');
        const steps = [
          event(
            'customer.subscription.created',
            subscription({ id, customerId, status: 'incomplete' }),
            T0,
          ),
          event(
            'customer.subscription.updated',
            subscription({ id, customerId, status: 'active' }),
            T0 + 10,
          ),
          event(
            'customer.subscription.updated',
            subscription({
              id,
              customerId,
              status: 'active',
              cancelAtPeriodEnd: true,
              quantity: 2,
            }),
            T0 + 20,
          ),
        ];
        for (const index of [...order, order[0]]) {
          await harness.post(deliver(steps[index], SECRET)).expect(200);
        }
        const stored = await harness.subscriptions().findByStripeSubscriptionId(id);
        expect({
          order,
          state: stored && [stored.status, stored.cancelAtPeriodEnd, stored.quantity],
        }).toEqual({
          order,
          state: ['active', true, 2],
        });
      }
    });

    it('keeps a succeeded payment when its earlier failure arrives last', async () => {
      const customerId = await linkedCustomer();
      const id = stripeId('pi');
      const failed = paymentIntent(customerId, { id, status: 'requires_payment_method' });
      const succeeded = paymentIntent(customerId, { id, status: 'succeeded' });
      await harness
        .post(deliver(event('payment_intent.succeeded', succeeded, T0 + 60), SECRET))
        .expect(200);
      await harness
        .post(deliver(event('payment_intent.payment_failed', failed, T0), SECRET))
        .expect(200);

      const stored = await harness.payments().findByStripePaymentIntentId(id);
      expect(stored?.status).toBe('succeeded');
    });
  });
}
