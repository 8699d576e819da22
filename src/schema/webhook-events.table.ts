import { WebhookEventEntity, type IWebhookEventEntity } from '../entities/webhook-event.entity';
import { defineTable } from './table-definition';

/** The `webhook_events` table. */
export const webhookEventsTable = defineTable<IWebhookEventEntity>({
  name: 'webhook_events',
  entity: WebhookEventEntity,
  // timestamptz(3) since migration postgres/0009, the library's text since sqlite/0007.
  timestampPrecision: 'ms',
  columns: {
    stripeEventId: { type: 'string', unique: true },
    eventType: { type: 'string' },
    processed: { type: 'boolean' },
    processedAt: { type: 'timestamp', nullable: true },
    payload: { type: 'json', sensitive: true },
    errorMessage: { type: 'text', nullable: true },
    retryCount: { type: 'integer' },
    // The worker holding the event and until when (migrations sqlite/0009, postgres/0011).
    lockedBy: { type: 'string', nullable: true },
    lockedUntil: { type: 'timestamp', nullable: true },
  },
});
