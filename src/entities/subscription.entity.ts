import {
  IsBoolean,
  IsEnum,
  IsISO8601,
  IsInt,
  IsObject,
  IsOptional,
  IsUUID,
  Min,
} from 'class-validator';
import type { IBaseEntity } from '../schema/table-definition';
import { BaseEntity } from './base.entity';
import { IsShortText } from './entity-rules';

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
  /**
   * The `created` of the newest Stripe event written to the row (`upsertFromStripe`): older
   * events are not applied over it. Null when no event wrote it.
   */
  lastEventAt?: string | null;
}

/** A subscription as the library returns it: the `subscriptions` row as a class with its rules. */
export class SubscriptionEntity extends BaseEntity implements ISubscriptionEntity {
  @IsShortText()
  stripeSubscriptionId!: string;

  @IsUUID()
  userId!: string;

  @IsOptional()
  @IsShortText()
  stripeCustomerId?: string | null;

  @IsShortText()
  productId!: string;

  @IsShortText()
  priceId!: string;

  @IsEnum(SubscriptionStatus)
  status!: SubscriptionStatus;

  @IsISO8601({ strict: true })
  currentPeriodStart!: string;

  @IsISO8601({ strict: true })
  currentPeriodEnd!: string;

  @IsOptional()
  @IsISO8601({ strict: true })
  trialStart?: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  trialEnd?: string | null;

  @IsBoolean()
  cancelAtPeriodEnd!: boolean;

  @IsOptional()
  @IsISO8601({ strict: true })
  canceledAt?: string | null;

  @IsInt()
  @Min(1)
  quantity!: number;

  @IsObject()
  metadata!: Record<string, unknown>;

  @IsOptional()
  @IsISO8601({ strict: true })
  lastEventAt?: string | null;
}
