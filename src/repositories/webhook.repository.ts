import { Injectable } from '@nestjs/common';
import { WebhookEventEntity, type IWebhookEventEntity } from '../entities/webhook-event.entity';
import type { CreateInput } from '../schema/table-definition';
import { webhookEventsTable } from '../schema/webhook-events.table';
import { requireInteger, requireKey, requireObject } from './argument-checks';
import { BaseRepository, type CreateInputWithDefaults } from './base.repository';

/** What {@link WebhookRepository.create} takes: `processed` defaults to `false`, `retryCount` to 0. */
export type WebhookEventCreateInput = CreateInputWithDefaults<
  IWebhookEventEntity,
  'processed' | 'retryCount'
>;

/** A Stripe event as received, for {@link WebhookRepository.recordIfNew}. */
export type ReceivedWebhookEvent = Pick<
  IWebhookEventEntity,
  'stripeEventId' | 'eventType' | 'payload'
>;

/** The stored event, and whether this call stored it (false: it had been received before). */
export interface RecordedWebhookEvent {
  event: IWebhookEventEntity;
  created: boolean;
}

/**
 * Received Stripe webhook events: idempotent recording, then processing state and retries.
 * Stripe delivers an event at least once, and sometimes several times at once.
 */
@Injectable()
export class WebhookRepository extends BaseRepository<
  IWebhookEventEntity,
  WebhookEventCreateInput
> {
  protected readonly table = webhookEventsTable;
  protected override readonly entityClass = WebhookEventEntity;

  /**
   * The live event with this Stripe event id, or null. ValidationException when the id is not a
   * non-empty string.
   */
  async findByStripeEventId(stripeEventId: string): Promise<IWebhookEventEntity | null> {
    return this.findFirst({ stripeEventId: requireKey(stripeEventId, 'stripeEventId') });
  }

  /**
   * Stores the event unless one with the same `stripeEventId` is already stored, in one atomic
   * upsert (`onConflict: 'ignore'`): however many deliveries of one event race, exactly one
   * row exists afterwards and exactly one call gets `created: true`. Process the event only then.
   */
  async recordIfNew(received: ReceivedWebhookEvent): Promise<RecordedWebhookEvent> {
    requireObject(received, 'received');
    const { record, created } = await this.upsert(
      {
        stripeEventId: received.stripeEventId,
        eventType: received.eventType,
        payload: received.payload,
      },
      { conflictField: 'stripeEventId', onConflict: 'ignore' },
    );
    return { event: record, created };
  }

  /**
   * Marks the event processed now. `errorMessage` keeps the last failure, if any, for the record.
   * RecordNotFoundException when the event is missing.
   */
  markProcessed(id: string): Promise<IWebhookEventEntity> {
    return this.update(id, { processed: true, processedAt: new Date().toISOString() });
  }

  /**
   * Records a failed attempt: sets `errorMessage` and adds one to `retryCount`, atomically
   * (`adapter.increment`), so concurrent failures of one event are each counted.
   * RecordNotFoundException when the event is missing.
   */
  markFailed(id: string, message: string): Promise<IWebhookEventEntity> {
    // One atomic step on every provider, so concurrent failures are all counted.
    return this.increment(id, 'retryCount', 1, { errorMessage: message });
  }

  /**
   * Unprocessed events with fewer than `maxRetries` failed attempts, oldest first: what a retry
   * job picks up. `limit` caps how many (1 to the adapter's page maximum). Default is all.
   */
  async findRetryable(maxRetries: number, limit?: number): Promise<IWebhookEventEntity[]> {
    return this.findMany({
      filters: { processed: false, retryCount: { lt: requireInteger(maxRetries, 'maxRetries') } },
      orderBy: { field: 'createdAt', direction: 'asc' },
      pagination: limit === undefined ? undefined : { page: 1, limit },
    });
  }

  protected override prepareCreate(
    data: WebhookEventCreateInput,
  ): CreateInput<IWebhookEventEntity> {
    return { ...data, processed: data.processed ?? false, retryCount: data.retryCount ?? 0 };
  }
}
