import {
  IsEnum,
  IsISO8601,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import type { IBaseEntity } from '../schema/table-definition';
import { BaseEntity } from './base.entity';
import { IsShortText } from './entity-rules';

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
  /**
   * The `created` of the newest Stripe event written to the row (`upsertFromStripe`): older
   * events are not applied over it. Null when no event wrote it.
   */
  lastEventAt?: string | null;
}

/** A three-letter ISO 4217 code in lower case, as Stripe sends it. */
export const CURRENCY_CODE = /^[a-z]{3}$/;

/** A payment as the library returns it: the `payments` row as a class with its validation rules. */
export class PaymentEntity extends BaseEntity implements IPaymentEntity {
  @IsShortText()
  stripePaymentIntentId!: string;

  @IsUUID()
  userId!: string;

  @IsOptional()
  @IsShortText()
  stripeCustomerId?: string | null;

  @IsInt()
  @Min(0)
  amount!: number;

  @Matches(CURRENCY_CODE, { message: '$property must be a lower-case ISO 4217 code, e.g. usd' })
  currency!: string;

  @IsEnum(PaymentStatus)
  status!: PaymentStatus;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  paymentMethod?: string | null;

  @IsOptional()
  @IsString()
  description?: string | null;

  @IsObject()
  metadata!: Record<string, unknown>;

  @IsOptional()
  @IsISO8601({ strict: true })
  lastEventAt?: string | null;
}
