import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { WebhookRepository } from '../../src';
import { AppModule } from '../../examples/api/api.module';
import { stripeWebhookOptionsFromEnv } from '../../examples/api/stripe/stripe-webhook.options';
import { makeTempSqliteDir } from '../module/temp-sqlite';
import { bootApp } from './example-app';
import { T0, deliver, event, stripeId } from './support/stripe-events';
import { customer, invoice, paymentIntent } from './support/stripe-objects';
import { subscription } from './support/stripe-subscriptions';
import { SECRET, describeOnEachEngine, now } from './support/stripe-harness';
import { orderedDeliveryTests } from './support/stripe-ordering';

describeOnEachEngine('POST /webhooks/stripe', (h) => {
  it('stores a real signed event whole, applies it and answers 200', async () => {
    const user = await h.newUser();
    const created = event('customer.created', customer({ email: user.email.toUpperCase() }));
    const delivery = deliver(created, SECRET);

    const res = await h.post(delivery).expect(200);

    expect(res.body).toEqual({ received: true, duplicate: false, id: expect.any(String) });
    const stored = await h.webhooks().findByStripeEventId(created.id);
    expect(stored).toMatchObject({
      eventType: 'customer.created',
      processed: true,
      retryCount: 0,
      lockedBy: null,
      lockedUntil: null,
    });
    expect(stored?.payload).toEqual(JSON.parse(delivery.body));
    expect((await h.users().findById(user.id))?.stripeCustomerId).toBe(created.data.object.id);
  });

  it('refuses a wrong secret, a changed body, an old timestamp or no header, storing nothing', async () => {
    const { customerId } = await h.linkedUser();
    const intent = event('payment_intent.succeeded', paymentIntent(customerId));
    const good = deliver(intent, SECRET);
    const before = await h.webhooks().count();

    const wrongSecret = deliver(intent, `whsec_${randomBytes(24).toString('base64url')}`);
    const tampered = { ...good, body: good.body.replace('"amount": 1999', '"amount": 1') };
    const stale = deliver(intent, SECRET, now() - 301);
    expect(tampered.body).not.toBe(good.body);
    for (const delivery of [wrongSecret, tampered, stale]) {
      const res = await h.post(delivery).expect(400);
      expect(res.body.message).toMatch(/^Stripe-Signature verification failed: /);
      expect(JSON.stringify(res.body)).not.toContain(SECRET.slice(-4));
    }
    await h.http
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .send(good.body)
      .expect(400);

    expect(await h.webhooks().count()).toBe(before);
    expect(await h.webhooks().findByStripeEventId(intent.id)).toBeNull();
    expect(await h.payments().findByStripePaymentIntentId(intent.data.object.id)).toBeNull();
  });

  it('never echoes the secret, even when the header asks for a debug comparison', async () => {
    const intent = event('customer.updated', customer());
    const delivery = deliver(intent, `whsec_${randomBytes(24).toString('base64url')}`);
    const res = await h
      .post({
        ...delivery,
        signature: `${delivery.signature},secret=whsec_****abcd`,
      })
      .expect(400);
    expect(JSON.stringify(res.body)).not.toContain(SECRET.slice(-4));
    expect(JSON.stringify(res.body)).not.toMatch(/characters long/);
  });

  it('accepts a delivery signed four minutes ago, inside the 300 s tolerance', async () => {
    const unknownType = event('customer.deleted', customer());
    await h.post(deliver(unknownType, SECRET, now() - 240)).expect(200);
    const stored = await h.webhooks().findByStripeEventId(unknownType.id);
    expect(stored).toMatchObject({ processed: true, retryCount: 0 });
  });

  it('answers a redelivery the same way and applies the event once', async () => {
    const { userId, customerId } = await h.linkedUser();
    const paid = event('invoice.paid', invoice(customerId, stripeId('sub'), true));
    const first = await h.post(deliver(paid, SECRET)).expect(200);
    // Stripe signs each attempt again, with that attempt's timestamp.
    const again = await h.post(deliver(paid, SECRET, now() - 5)).expect(200);
    const racing = await Promise.all([1, 2, 3].map(() => h.post(deliver(paid, SECRET))));

    expect(again.body).toEqual({ received: true, duplicate: true, id: first.body.id });
    expect(racing.map((res) => res.status)).toEqual([200, 200, 200]);
    expect(
      racing.every((res) => res.body.duplicate === true && res.body.id === first.body.id),
    ).toBe(true);
    expect(h.notify).toHaveBeenCalledTimes(1);
    expect(h.notify).toHaveBeenCalledWith({
      kind: 'invoice-paid',
      userId,
      stripeObjectId: paid.data.object.id,
      amount: 1500,
      currency: 'usd',
    });
  });

  it('upserts payments from payment_intent.succeeded and payment_intent.payment_failed', async () => {
    const { userId, customerId } = await h.linkedUser();
    const succeeded = paymentIntent(customerId);
    const failed = paymentIntent(customerId, {
      status: 'requires_payment_method',
      amount: 4200,
      amount_received: 0,
      currency: 'eur',
      payment_method: null,
      description: null,
    });
    await h.post(deliver(event('payment_intent.succeeded', succeeded), SECRET)).expect(200);
    await h.post(deliver(event('payment_intent.payment_failed', failed), SECRET)).expect(200);

    expect(await h.payments().findByStripePaymentIntentId(succeeded.id)).toMatchObject({
      userId,
      stripeCustomerId: customerId,
      amount: 1999,
      currency: 'usd',
      status: 'succeeded',
      paymentMethod: succeeded.payment_method,
      description: 'Pro plan, first month',
      metadata: { order: 'A-1001' },
    });
    expect(await h.payments().findByStripePaymentIntentId(failed.id)).toMatchObject({
      amount: 4200,
      currency: 'eur',
      status: 'requires_payment_method',
      paymentMethod: null,
    });
  });

  it('follows a subscription from created to updated to deleted, noticing its end after commit', async () => {
    const { userId, customerId } = await h.linkedUser();
    const id = stripeId('sub');
    const steps = [
      event(
        'customer.subscription.created',
        subscription({ id, customerId, status: 'incomplete' }),
      ),
      event(
        'customer.subscription.updated',
        subscription({ id, customerId, status: 'active', quantity: 3 }),
      ),
      event(
        'customer.subscription.deleted',
        subscription({ id, customerId, status: 'canceled', quantity: 3, canceledAt: T0 + 600 }),
      ),
    ];
    const seen: string[] = [];
    for (const step of steps) {
      await h.post(deliver(step, SECRET)).expect(200);
      seen.push((await h.subscriptions().findByStripeSubscriptionId(id))?.status ?? 'missing');
    }

    expect(seen).toEqual(['incomplete', 'active', 'canceled']);
    expect(await h.subscriptions().findByStripeSubscriptionId(id)).toMatchObject({
      userId,
      stripeCustomerId: customerId,
      productId: 'prod_TestPro',
      priceId: 'price_TestProMonthly',
      currentPeriodStart: new Date(T0 * 1000).toISOString(),
      currentPeriodEnd: new Date((T0 + 31 * 86_400) * 1000).toISOString(),
      quantity: 3,
      cancelAtPeriodEnd: false,
      canceledAt: new Date((T0 + 600) * 1000).toISOString(),
    });
    expect(h.notify).toHaveBeenCalledTimes(1);
    expect(h.notify).toHaveBeenCalledWith({
      kind: 'subscription-ended',
      userId,
      stripeObjectId: id,
    });
  });

  it('turns invoice events into notices only, and leaves unknown types unapplied but processed', async () => {
    const { userId, customerId } = await h.linkedUser();
    const subscriptionId = stripeId('sub');
    const failed = event('invoice.payment_failed', invoice(customerId, subscriptionId, false));
    const other = event('customer.deleted', customer({ id: customerId }));
    const counts = async () => [await h.payments().count(), await h.subscriptions().count()];
    const before = await counts();

    await h.post(deliver(failed, SECRET)).expect(200);
    await h.post(deliver(other, SECRET)).expect(200);

    expect(await counts()).toEqual(before);
    expect(h.notify).toHaveBeenCalledWith(
      expect.objectContaining({ kind: 'invoice-payment-failed', userId, amount: 1500 }),
    );
    expect(await h.webhooks().findByStripeEventId(other.id)).toMatchObject({ processed: true });
    expect((await h.users().findById(userId))?.deletedAt).toBeNull();
  });

  orderedDeliveryTests(h);
});

describe('POST /webhooks/stripe without a signing secret', () => {
  const sqlite = makeTempSqliteDir('e2e-stripe-off');
  afterAll(() => sqlite.cleanup());

  it('answers 503 with the reason and stores nothing, whatever NODE_ENV says', async () => {
    const unset = { NODE_ENV: 'development', STRIPE_WEBHOOK_SECRET: '  ' };
    expect(stripeWebhookOptionsFromEnv(unset)).toEqual({});
    expect(stripeWebhookOptionsFromEnv({ ...unset, NODE_ENV: 'test' })).toEqual({});
    const app = await bootApp([
      AppModule.register(
        { provider: 'sqlite', sqlite: { path: sqlite.file() }, env: {} },
        stripeWebhookOptionsFromEnv(unset),
      ),
    ]);
    try {
      const delivery = deliver(event('customer.created', customer()), SECRET);
      const res = await request(app.getHttpServer())
        .post('/webhooks/stripe')
        .set('content-type', 'application/json')
        .set('stripe-signature', delivery.signature)
        .send(delivery.body)
        .expect(503);
      expect(res.body.message).toMatch(/STRIPE_WEBHOOK_SECRET is not set/);
      expect(await app.get(WebhookRepository).count()).toBe(0);
      await request(app.getHttpServer()).get('/health').expect(200);
    } finally {
      await app.close();
    }
  });
});
