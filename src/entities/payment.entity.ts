import type { IBaseEntity } from '../schema/table-definition';

/** Stripe PaymentIntent statuses. */
export enum PaymentStatus {
  RequiresPaymentMethod = 'requires_payment_method',
  RequiresConfirmation = 'requires_confirmation',
  RequiresAction = 'requires_action',
  Processing = 'processing',
  RequiresCapture = 'requires_capture',
  Canceled = 'canceled',
  Succeeded = 'succeeded',
}

/** A row of `payments`: one Stripe PaymentIntent. */
export interface IPaymentEntity extends IBaseEntity {
  stripePaymentIntentId: string;
  userId: string;
  stripeCustomerId?: string | null;
  /** Integer minor units (cents), as Stripe sends them. */
  amount: number;
  /** ISO 4217, lower-case as Stripe sends it (`usd`). */
  currency: string;
  status: PaymentStatus;
  paymentMethod?: string | null;
  description?: string | null;
  metadata: Record<string, unknown>;
}
