import { Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import {
  InjectDatabaseAdapter,
  PaymentRepository,
  SubscriptionRepository,
  UserRepository,
  type IDatabaseAdapter,
} from '../../../src';
import { BillingNotifier, type BillingNotice } from './billing-notifier';
import { idOf, paymentFromIntent, subscriptionFromStripe } from './stripe-objects';

/**
 * An event names a Stripe customer that no user is linked to yet. Thrown to fail the event so
 * that it is retried: Stripe does not order its deliveries, and the `customer.created` that links
 * the user may simply not have arrived yet.
 */
export class UnknownStripeCustomerError extends Error {
  constructor(readonly customerId: string) {
    super(`No user is linked to Stripe customer ${customerId} yet`);
    this.name = 'UnknownStripeCustomerError';
  }
}

/** Registers work to run once the event's transaction has committed. */
type AfterCommit = (work: () => Promise<void>) => void;

/**
 * Applies one Stripe event to users, payments and subscriptions. What each type changes:
 * - `customer.created` / `customer.updated`: links the user with the customer's email (the
 *   app owns names and emails; Stripe's copy never overwrites them);
 * - `payment_intent.succeeded` / `payment_intent.payment_failed`: the payment, by its
 *   PaymentIntent id;
 * - `customer.subscription.created` / `updated` / `deleted`: the subscription, by its id (a
 *   deleted one is kept, with Stripe's status `canceled`), and a notice when it ends;
 * - `invoice.paid` / `invoice.payment_failed`: no row (the subscription's status and the payment
 *   arrive in their own events), a notice to the user;
 * - any other type: nothing.
 */
@Injectable()
export class StripeEventApplier {
  private readonly logger = new Logger('StripeEventApplier');

  constructor(
    @InjectDatabaseAdapter() private readonly adapter: IDatabaseAdapter,
    private readonly users: UserRepository,
    private readonly payments: PaymentRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly notifier: BillingNotifier,
  ) {}

  /**
   * Applies the event and then `complete` (which marks it processed) in one transaction, so an
   * event is either applied and marked or neither; its notices are sent after the commit. Throws
   * what failed, after the rollback.
   */
  async applyAndComplete(event: Stripe.Event, complete: () => Promise<unknown>): Promise<void> {
    const afterCommit: Array<() => Promise<void>> = [];
    await this.inTransaction(async () => {
      await this.apply(event, (work) => afterCommit.push(work));
      await complete();
    });
    for (const work of afterCommit) {
      await work().catch((error: Error) =>
        this.logger.error(`A side effect of Stripe event ${event.id} failed: ${error.message}`),
      );
    }
  }

  private apply(event: Stripe.Event, afterCommit: AfterCommit): Promise<void> {
    switch (event.type) {
      case 'customer.created':
      case 'customer.updated':
        return this.linkCustomer(event.data.object);
      case 'payment_intent.succeeded':
      case 'payment_intent.payment_failed':
        return this.savePayment(event.data.object);
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
        return this.saveSubscription(event.data.object, event.type, afterCommit);
      case 'invoice.paid':
      case 'invoice.payment_failed':
        return this.noticeInvoice(event.data.object, event.type, afterCommit);
      default:
        return Promise.resolve();
    }
  }

  private async linkCustomer(customer: Stripe.Customer): Promise<void> {
    if (!customer.email || (await this.users.findByStripeCustomerId(customer.id))) return;
    const user = await this.users.findByEmail(customer.email);
    if (!user) return; // A customer made outside the app: no user to link.
    if (user.stripeCustomerId) {
      this.logger.warn(
        `User ${user.id} stays linked to ${user.stripeCustomerId}, not ${customer.id}`,
      );
      return;
    }
    await this.users.update(user.id, { stripeCustomerId: customer.id });
  }

  private async savePayment(intent: Stripe.PaymentIntent): Promise<void> {
    const customerId = idOf(intent.customer);
    if (!customerId) return; // A guest payment: no user owns it.
    const userId = await this.userIdOf(customerId);
    await this.payments.upsertByStripeId(paymentFromIntent(intent, userId));
  }

  private async saveSubscription(
    subscription: Stripe.Subscription,
    type: string,
    afterCommit: AfterCommit,
  ): Promise<void> {
    const userId = await this.userIdOf(idOf(subscription.customer));
    await this.subscriptions.upsertByStripeId(subscriptionFromStripe(subscription, userId));
    if (type === 'customer.subscription.deleted') {
      const notice: BillingNotice = {
        kind: 'subscription-ended',
        userId,
        stripeObjectId: subscription.id,
      };
      afterCommit(() => this.notifier.notify(notice));
    }
  }

  private async noticeInvoice(
    invoice: Stripe.Invoice,
    type: 'invoice.paid' | 'invoice.payment_failed',
    afterCommit: AfterCommit,
  ): Promise<void> {
    const customerId = idOf(invoice.customer);
    if (!customerId) return;
    const paid = type === 'invoice.paid';
    const notice: BillingNotice = {
      kind: paid ? 'invoice-paid' : 'invoice-payment-failed',
      userId: await this.userIdOf(customerId),
      stripeObjectId: invoice.id,
      amount: paid ? invoice.amount_paid : invoice.amount_due,
      currency: invoice.currency,
    };
    afterCommit(() => this.notifier.notify(notice));
  }

  private async userIdOf(customerId: string): Promise<string> {
    const user = await this.users.findByStripeCustomerId(customerId);
    if (!user) throw new UnknownStripeCustomerError(customerId);
    return user.id;
  }

  /** Supabase has no transactions: there each write is atomic on its own, in order. */
  private inTransaction(work: () => Promise<void>): Promise<void> {
    return this.adapter.capabilities.transactions ? this.adapter.transaction(work) : work();
  }
}
