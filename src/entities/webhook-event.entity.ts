import { IsBoolean, IsISO8601, IsInt, IsObject, IsOptional, IsString, Min } from 'class-validator';
import type { IBaseEntity } from '../schema/table-definition';
import { BaseEntity } from './base.entity';
import { IsShortText } from './entity-rules';

/** A row of `webhook_events`: one Stripe event as received. */
export interface IWebhookEventEntity extends IBaseEntity {
  stripeEventId: string;
  eventType: string;
  processed: boolean;
  processedAt?: string | null;
  payload: Record<string, unknown>;
  errorMessage?: string | null;
  retryCount: number;
  /** The worker whose lease holds the event (WebhookRepository.claimRetryable), or null. */
  lockedBy?: string | null;
  /** When that lease ends, by the database's clock (the client's on Supabase), or null. */
  lockedUntil?: string | null;
}

/** A received Stripe event as the library returns it: the `webhook_events` row as a class. */
export class WebhookEventEntity extends BaseEntity implements IWebhookEventEntity {
  @IsShortText()
  stripeEventId!: string;

  @IsShortText()
  eventType!: string;

  @IsBoolean()
  processed!: boolean;

  @IsOptional()
  @IsISO8601({ strict: true })
  processedAt?: string | null;

  @IsObject()
  payload!: Record<string, unknown>;

  @IsOptional()
  @IsString()
  errorMessage?: string | null;

  @IsInt()
  @Min(0)
  retryCount!: number;

  @IsOptional()
  @IsShortText()
  lockedBy?: string | null;

  @IsOptional()
  @IsISO8601({ strict: true })
  lockedUntil?: string | null;
}
