import { setTimeout as sleep } from 'node:timers/promises';
import { StripeEventApplier } from '../../examples/api/stripe/apply-event';
import { StripeEventInbox } from '../../examples/api/stripe/event-inbox';
import { StripeEventProcessor } from '../../examples/api/stripe/stripe-event-processor';
import { StripeEventWorker } from '../../examples/worker/stripe-event-worker';
import { deliver, event, stripeId } from './support/stripe-events';
import { customer, invoice, paymentIntent } from './support/stripe-objects';
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
      lockedBy: null,
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

  it('leaves an event to the request that leased it, and takes it once that lease has ended', async () => {
    const { customerId } = await h.linkedUser();
    // Stored by a request that died before processing it; its lease outlives it.
    const pending = event('payment_intent.succeeded', paymentIntent(customerId));
    await h.webhooks().recordIfNew(
      {
        stripeEventId: pending.id,
        eventType: pending.type,
        payload: pending as unknown as Record<string, unknown>,
      },
      { workerId: 'api:crashed', leaseMs: 400 },
    );

    await h.worker().run({ untilIdle: true, pollMs: 1 });
    expect(await h.webhooks().findByStripeEventId(pending.id)).toMatchObject({ processed: false });

    await sleep(600);
    await h.worker().run({ untilIdle: true, pollMs: 1 });
    expect(await h.webhooks().findByStripeEventId(pending.id)).toMatchObject({
      processed: true,
      retryCount: 0,
      lockedBy: null,
    });
    expect(await h.payments().findByStripePaymentIntentId(pending.data.object.id)).not.toBeNull();
  });

  it('rolls back the attempt of a holder whose lease was taken over, and counts no failure', async () => {
    const { customerId } = await h.linkedUser();
    const paid = event('invoice.paid', invoice(customerId, stripeId('sub'), true));
    await h.webhooks().recordIfNew({
      stripeEventId: paid.id,
      eventType: paid.type,
      payload: paid as unknown as Record<string, unknown>,
    });
    const inbox = h.app.get(StripeEventInbox);
    const [stale] = await inbox.claim('worker:slow', { leaseMs: 200, limit: 1, maxRetries: 1 });
    expect(stale.stripeEventId).toBe(paid.id);
    await sleep(300);
    await h.worker().run({ untilIdle: true, pollMs: 1 });
    const fail = jest.spyOn(inbox, 'fail');

    expect(await h.app.get(StripeEventProcessor).process(stale, 'worker:slow')).toBe(false);
    expect(fail).not.toHaveBeenCalled();
    expect(await h.webhooks().findByStripeEventId(paid.id)).toMatchObject({
      processed: true,
      retryCount: 0,
    });
    expect(h.notify).toHaveBeenCalledTimes(1);
  });

  it('lets two workers drain the failed events together, each event applied exactly once', async () => {
    const user = await h.newUser();
    const stripeCustomer = customer({ email: user.email });
    // Invoices of a customer no user is linked to yet: each one fails in its request.
    const invoices = Array.from({ length: 12 }, () =>
      event('invoice.paid', invoice(stripeCustomer.id, stripeId('sub'), true)),
    );
    for (const paid of invoices) await h.post(deliver(paid, SECRET)).expect(200);
    await h.post(deliver(event('customer.created', stripeCustomer), SECRET)).expect(200);
    const applied = jest.spyOn(h.app.get(StripeEventApplier), 'applyAndComplete');
    const workers = [h.worker(), new StripeEventWorker(h.app.get(StripeEventProcessor))];
    expect(workers[0].id).not.toBe(workers[1].id);

    const reports = await Promise.all(
      workers.map((worker) => worker.run({ untilIdle: true, pollMs: 1, batchSize: 2 })),
    );

    const ids = new Set(invoices.map((paid) => paid.id));
    const attempts = applied.mock.calls.map(([attempt]) => attempt.id).filter((id) => ids.has(id));
    expect(attempts.sort()).toEqual([...ids].sort());
    expect(reports.every((report) => report.processed > 0)).toBe(true);
    const noticed = h.notify.mock.calls.map(([notice]) => notice.stripeObjectId).sort();
    expect(noticed).toEqual(invoices.map((paid) => paid.data.object.id).sort());
    for (const paid of invoices) {
      expect(await h.webhooks().findByStripeEventId(paid.id)).toMatchObject({
        processed: true,
        retryCount: 1,
        lockedBy: null,
      });
    }
  });
});
