import Stripe from 'stripe';
import { DAY, T0, stripeId } from './stripe-events';

/** Subscriptions with their item, price and plan, typed as the `stripe` package declares them. */

/** A price of 15.00 USD a month for a product. */
function monthlyPrice(productId: string, priceId: string): Stripe.Price {
  return {
    id: priceId,
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: T0 - 30 * DAY,
    currency: 'usd',
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: productId,
    recurring: {
      interval: 'month',
      interval_count: 1,
      meter: null,
      trial_period_days: null,
      usage_type: 'licensed',
    },
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: 'recurring',
    unit_amount: 1500,
    unit_amount_decimal: Stripe.Decimal.from('1500'),
  };
}

/** The plan Stripe still sends next to each item's price. */
function monthlyPlan(productId: string, priceId: string): Stripe.Plan {
  return {
    id: priceId,
    object: 'plan',
    active: true,
    amount: 1500,
    amount_decimal: Stripe.Decimal.from('1500'),
    billing_scheme: 'per_unit',
    created: T0 - 30 * DAY,
    currency: 'usd',
    interval: 'month',
    interval_count: 1,
    livemode: false,
    metadata: {},
    meter: null,
    nickname: null,
    product: productId,
    tiers_mode: null,
    transform_usage: null,
    trial_period_days: null,
    usage_type: 'licensed',
  };
}

/** What a test chooses about a subscription; the rest is filled in. */
export interface SubscriptionShape {
  id: string;
  customerId: string;
  status: Stripe.Subscription.Status;
  productId?: string;
  priceId?: string;
  quantity?: number;
  periodStart?: number;
  cancelAtPeriodEnd?: boolean;
  canceledAt?: number | null;
}

/** A Subscription with one monthly item (the period is on the item since 2025-03-31). */
export function subscription(shape: SubscriptionShape): Stripe.Subscription {
  const productId = shape.productId ?? 'prod_TestPro';
  const priceId = shape.priceId ?? 'price_TestProMonthly';
  const start = shape.periodStart ?? T0;
  const item: Stripe.SubscriptionItem = {
    id: stripeId('si'),
    object: 'subscription_item',
    billing_thresholds: null,
    created: T0,
    current_period_end: start + 31 * DAY,
    current_period_start: start,
    current_trial: null,
    discounts: [],
    metadata: {},
    plan: monthlyPlan(productId, priceId),
    price: monthlyPrice(productId, priceId),
    quantity: shape.quantity ?? 1,
    subscription: shape.id,
    tax_rates: [],
  };
  return {
    id: shape.id,
    object: 'subscription',
    application: null,
    application_fee_percent: null,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null },
    billing_cycle_anchor: T0,
    billing_cycle_anchor_config: null,
    billing_mode: { flexible: null, type: 'classic' },
    billing_schedules: [],
    billing_thresholds: null,
    cancel_at: null,
    cancel_at_period_end: shape.cancelAtPeriodEnd ?? false,
    canceled_at: shape.canceledAt ?? null,
    cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
    collection_method: 'charge_automatically',
    created: T0,
    currency: 'usd',
    customer: shape.customerId,
    customer_account: null,
    days_until_due: null,
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    ended_at: shape.status === 'canceled' ? (shape.canceledAt ?? T0) : null,
    invoice_settings: {
      account_tax_ids: null,
      custom_fields: null,
      description: null,
      footer: null,
      issuer: { type: 'self' },
    },
    items: {
      object: 'list',
      data: [item],
      has_more: false,
      url: `/v1/subscription_items?subscription=${shape.id}`,
    },
    latest_invoice: stripeId('in'),
    livemode: false,
    managed_payments: null,
    metadata: {},
    next_pending_invoice_item_invoice: null,
    on_behalf_of: null,
    pause_collection: null,
    payment_settings: {
      payment_method_options: null,
      payment_method_types: null,
      save_default_payment_method: 'off',
    },
    pending_invoice_item_interval: null,
    pending_setup_intent: null,
    pending_update: null,
    schedule: null,
    start_date: T0,
    status: shape.status,
    test_clock: null,
    transfer_data: null,
    trial_end: null,
    trial_settings: {
      end_behavior: { billing_cycle_anchor: null, missing_payment_method: 'create_invoice' },
    },
    trial_start: null,
  };
}
