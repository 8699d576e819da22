import type { IBaseEntity } from '../schema/table-definition';

/** A row of `webhook_events`: one Stripe event as received. */
export interface IWebhookEventEntity extends IBaseEntity {
  stripeEventId: string;
  eventType: string;
  processed: boolean;
  processedAt?: string | null;
  payload: Record<string, unknown>;
  errorMessage?: string | null;
  retryCount: number;
}
