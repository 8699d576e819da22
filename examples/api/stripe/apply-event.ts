import { Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import {
  InjectDatabaseAdapter,
  PaymentRepository,
  SubscriptionRepository,
  Transactional,
  UserRepository,
  afterCommit,
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

/**
 * Applies one Stripe event to users, payments and subscriptions. What each type changes:
 * - `customer.created` / `customer.updated`: links the user with the customer's email (the
 *   app owns names and emails; Stripe's copy never overwrites them);
 * - `payment_intent.succeeded` / `payment_intent.payment_failed`: the payment, by its
 *   PaymentIntent id, unless a newer event of it was applied already;
 * - `customer.subscription.created` / `updated` / `deleted`: the subscription, by its id, unless
 *   a newer event of it was applied already (a deleted one is kept, with Stripe's status
 *   `canceled`), and a notice when it ends;
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
   * Applies the event and then `complete` (which marks it processed), and sends its notice once
   * both are done. On the SQL providers the two are one transaction: an event is either applied
   * and marked, or neither, and the notice waits for the commit. Supabase has no transactions
   * (`@Transactional()` would throw there): each write is atomic on its own, in order, the notice
   * follows the mark, and an event that failed half-way is applied again whole on its retry,
   * which every write here allows (a link is made once, an equal ordered upsert writes the same
   * state). Throws what failed, after the rollback.
   */
  applyAndComplete(event: Stripe.Event, complete: () => Promise<unknown>): Promise<void> {
    if (this.adapter.capabilities.transactions) return this.applyInTransaction(event, complete);
    return this.adapter.transaction(() => this.applyThenComplete(event, complete), {
      propagation: 'SUPPORTS',
    });
  }

  /** The SQL providers' way: joins the caller's transaction, or (as always here) starts one. */
  @Transactional()
  private async applyInTransaction(
    event: Stripe.Event,
    complete: () => Promise<unknown>,
  ): Promise<void> {
    await this.applyThenComplete(event, complete);
  }

  /** The event's writes, its mark, and its notice registered for after the commit. */
  private async applyThenComplete(
    event: Stripe.Event,
    complete: () => Promise<unknown>,
  ): Promise<void> {
    const notice = await this.apply(event);
    await complete();
    // Registered last: without a transaction (Supabase) it runs at once, after the mark.
    if (notice) afterCommit(() => this.notifier.notify(notice));
  }

  /** Writes what the event changes; the notice to send once that is committed, if any. */
  private async apply(event: Stripe.Event): Promise<BillingNotice | undefined> {
    switch (event.type) {
      case 'customer.created':
      case 'customer.updated':
        await this.linkCustomer(event.data.object);
        return undefined;
      case 'payment_intent.succeeded':
      case 'payment_intent.payment_failed':
        await this.savePayment(event.data.object, event.created);
        return undefined;
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
        return this.saveSubscription(event.data.object, event.type, event.created);
      case 'invoice.paid':
      case 'invoice.payment_failed':
        return this.noticeInvoice(event.data.object, event.type);
      default:
        return undefined;
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

  /** An older event than the one stored changes nothing (`applied: false`): a late delivery. */
  private async savePayment(intent: Stripe.PaymentIntent, eventCreated: number): Promise<void> {
    const customerId = idOf(intent.customer);
    if (!customerId) return; // A guest payment: no user owns it.
    const userId = await this.userIdOf(customerId);
    await this.payments.upsertFromStripe(paymentFromIntent(intent, userId), eventCreated);
  }

  private async saveSubscription(
    subscription: Stripe.Subscription,
    type: string,
    eventCreated: number,
  ): Promise<BillingNotice | undefined> {
    const userId = await this.userIdOf(idOf(subscription.customer));
    await this.subscriptions.upsertFromStripe(
      subscriptionFromStripe(subscription, userId),
      eventCreated,
    );
    if (type !== 'customer.subscription.deleted') return undefined;
    return { kind: 'subscription-ended', userId, stripeObjectId: subscription.id };
  }

  private async noticeInvoice(
    invoice: Stripe.Invoice,
    type: 'invoice.paid' | 'invoice.payment_failed',
  ): Promise<BillingNotice | undefined> {
    const customerId = idOf(invoice.customer);
    if (!customerId) return undefined;
    const paid = type === 'invoice.paid';
    return {
      kind: paid ? 'invoice-paid' : 'invoice-payment-failed',
      userId: await this.userIdOf(customerId),
      stripeObjectId: invoice.id,
      amount: paid ? invoice.amount_paid : invoice.amount_due,
      currency: invoice.currency,
    };
  }

  private async userIdOf(customerId: string): Promise<string> {
    const user = await this.users.findByStripeCustomerId(customerId);
    if (!user) throw new UnknownStripeCustomerError(customerId);
    return user.id;
  }
}
