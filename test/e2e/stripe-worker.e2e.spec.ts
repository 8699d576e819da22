import { StripeEventInbox } from '../../examples/api/stripe/event-inbox';
import { deliver, event, stripeId } from './support/stripe-events';
import { customer, paymentIntent } from './support/stripe-objects';
import { subscription } from './support/stripe-subscriptions';
import { SECRET, describeOnEachEngine } from './support/stripe-harness';

describeOnEachEngine('Stripe events that fail, and the worker', (h) => {
  it('answers 200 when processing fails, and the worker applies the event once it can', async () => {
    const user = await h.newUser();
    const stripeCustomer = customer({ email: user.email });
    const early = event('payment_intent.succeeded', paymentIntent(stripeCustomer.id));

    // The payment arrives before the customer.created that links the user.
    await h.post(deliver(early, SECRET)).expect(200);
    expect(await h.webhooks().findByStripeEventId(early.id)).toMatchObject({
      processed: false,
      retryCount: 1,
      errorMessage: `No user is linked to Stripe customer ${stripeCustomer.id} yet`,
    });
    expect(await h.payments().findByStripePaymentIntentId(early.data.object.id)).toBeNull();

    await h.post(deliver(event('customer.created', stripeCustomer), SECRET)).expect(200);
    const report = await h.worker().run({ untilIdle: true, pollMs: 1 });

    expect(report.processed).toBeGreaterThanOrEqual(1);
    expect(await h.webhooks().findByStripeEventId(early.id)).toMatchObject({
      processed: true,
      retryCount: 1,
    });
    expect(await h.payments().findByStripePaymentIntentId(early.data.object.id)).toMatchObject({
      userId: user.id,
      status: 'succeeded',
    });
  });

  it('rolls an event back whole when marking it fails, and sends its notice only once applied', async () => {
    const { customerId } = await h.linkedUser();
    const id = stripeId('sub');
    await h
      .post(
        deliver(
          event(
            'customer.subscription.created',
            subscription({ id, customerId, status: 'active' }),
          ),
          SECRET,
        ),
      )
      .expect(200);
    const ended = event(
      'customer.subscription.deleted',
      subscription({ id, customerId, status: 'canceled' }),
    );
    jest
      .spyOn(h.app.get(StripeEventInbox), 'complete')
      .mockRejectedValueOnce(new Error('disk full'));

    await h.post(deliver(ended, SECRET)).expect(200);
    expect((await h.subscriptions().findByStripeSubscriptionId(id))?.status).toBe('active');
    expect(await h.webhooks().findByStripeEventId(ended.id)).toMatchObject({
      processed: false,
      errorMessage: 'disk full',
    });
    expect(h.notify).not.toHaveBeenCalled();

    await h.worker().run({ untilIdle: true, pollMs: 1 });
    expect((await h.subscriptions().findByStripeSubscriptionId(id))?.status).toBe('canceled');
    expect(h.notify).toHaveBeenCalledTimes(1);
  });

  it('leaves an event that keeps failing after maxRetries attempts', async () => {
    const orphan = event('payment_intent.succeeded', paymentIntent(stripeId('cus')));
    await h.post(deliver(orphan, SECRET)).expect(200);

    await h.worker().run({ untilIdle: true, pollMs: 1, maxRetries: 3 });
    await h.worker().run({ untilIdle: true, pollMs: 1, maxRetries: 3 });

    expect(await h.webhooks().findByStripeEventId(orphan.id)).toMatchObject({
      processed: false,
      retryCount: 3,
    });
  });

  it('leaves a fresh, untried event to the request that stored it, and takes it after the lease', async () => {
    const { customerId } = await h.linkedUser();
    // Stored by a request that has not processed it (yet, or ever: it crashed).
    const pending = event('payment_intent.succeeded', paymentIntent(customerId));
    await h.webhooks().recordIfNew({
      stripeEventId: pending.id,
      eventType: pending.type,
      payload: pending as unknown as Record<string, unknown>,
    });

    await h.worker().run({ untilIdle: true, pollMs: 1 });
    expect(await h.webhooks().findByStripeEventId(pending.id)).toMatchObject({ processed: false });

    await h.worker().run({ untilIdle: true, pollMs: 1, leaseMs: 0 });
    expect(await h.webhooks().findByStripeEventId(pending.id)).toMatchObject({ processed: true });
    expect(await h.payments().findByStripePaymentIntentId(pending.data.object.id)).not.toBeNull();
  });
});
