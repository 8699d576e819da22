import type Stripe from 'stripe';
import type {
  PaymentCreateInput,
  PaymentStatus,
  SubscriptionCreateInput,
  SubscriptionStatus,
} from '../../../src';

/** The id of a Stripe object that an event gives either as an id or expanded. */
export function idOf(reference: string | { id: string }): string;
/** As above; null when the reference is absent. */
export function idOf(reference: string | { id: string } | null | undefined): string | null;
export function idOf(reference: string | { id: string } | null | undefined): string | null {
  if (reference === null || reference === undefined) return null;
  return typeof reference === 'string' ? reference : reference.id;
}

/** A Stripe timestamp (Unix seconds) as the ISO 8601 text the entities store. */
export function isoFromUnix(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** As {@link isoFromUnix}, keeping null (a trial or a cancellation that never happened). */
export function isoOrNull(seconds: number | null | undefined): string | null {
  return seconds === null || seconds === undefined ? null : isoFromUnix(seconds);
}

/**
 * A PaymentIntent as a `payments` row of the given user. The status is Stripe's own (the entity
 * rejects one it does not know); the payment method is its id, expanded or not.
 */
export function paymentFromIntent(
  intent: Stripe.PaymentIntent,
  userId: string,
): PaymentCreateInput {
  return {
    stripePaymentIntentId: intent.id,
    userId,
    stripeCustomerId: idOf(intent.customer),
    amount: intent.amount,
    currency: intent.currency,
    status: intent.status as PaymentStatus,
    paymentMethod: idOf(intent.payment_method),
    description: intent.description,
    metadata: { ...intent.metadata },
  };
}

/**
 * A Subscription as a `subscriptions` row of the given user. Product, price, quantity and the
 * current period come from its first item: since API version 2025-03-31 Stripe keeps the period
 * on each item, not on the subscription. A metered price has no quantity; it counts as 1.
 */
export function subscriptionFromStripe(
  subscription: Stripe.Subscription,
  userId: string,
): SubscriptionCreateInput {
  const item = subscription.items.data[0];
  if (!item) throw new Error(`Stripe subscription ${subscription.id} has no items`);
  return {
    stripeSubscriptionId: subscription.id,
    userId,
    stripeCustomerId: idOf(subscription.customer),
    productId: idOf(item.price.product),
    priceId: item.price.id,
    status: subscription.status as SubscriptionStatus,
    currentPeriodStart: isoFromUnix(item.current_period_start),
    currentPeriodEnd: isoFromUnix(item.current_period_end),
    trialStart: isoOrNull(subscription.trial_start),
    trialEnd: isoOrNull(subscription.trial_end),
    cancelAtPeriodEnd: subscription.cancel_at_period_end,
    canceledAt: isoOrNull(subscription.canceled_at),
    quantity: item.quantity ?? 1,
    metadata: { ...subscription.metadata },
  };
}
