import type { IBaseEntity } from '../schema/table-definition';

/** Stripe Subscription statuses. */
export enum SubscriptionStatus {
  Incomplete = 'incomplete',
  IncompleteExpired = 'incomplete_expired',
  Trialing = 'trialing',
  Active = 'active',
  PastDue = 'past_due',
  Canceled = 'canceled',
  Unpaid = 'unpaid',
  Paused = 'paused',
}

/** A row of `subscriptions`: one Stripe Subscription. */
export interface ISubscriptionEntity extends IBaseEntity {
  stripeSubscriptionId: string;
  userId: string;
  stripeCustomerId?: string | null;
  productId: string;
  priceId: string;
  status: SubscriptionStatus;
  currentPeriodStart: string;
  currentPeriodEnd: string;
  trialStart?: string | null;
  trialEnd?: string | null;
  cancelAtPeriodEnd: boolean;
  canceledAt?: string | null;
  quantity: number;
  metadata: Record<string, unknown>;
}
