import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import {
  WebhookRepository,
  type ClaimRetryableOptions,
  type IWebhookEventEntity,
  type RecordedWebhookEvent,
} from '../../../src';

/** What a worker asks the inbox for (see {@link ClaimRetryableOptions}). */
export type ClaimOptions = Required<ClaimRetryableOptions>;

/**
 * How long (ms) an event stays with the request that stored it while that request processes it.
 * Longer than the transaction time limit (`DATABASE_TRANSACTION_TIMEOUT_MS`, 30 s by default),
 * so the request's processing ends, committed or rolled back, before its lease does. An event
 * whose request died is taken by a worker once this has passed.
 */
export const REQUEST_LEASE_MS = 60_000;

/** A name for one processing process: role, host, pid and a random part. */
export function holderId(role: string): string {
  return `${role}:${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * The example's one door to the stored Stripe events (`webhook_events`): record on receipt,
 * hand out retryable ones with leases, and mark them processed or failed on behalf of the holder
 * of their lease. Each event is with at most one holder at a time: the request that stored it,
 * then (if that failed or died) one worker after another.
 */
@Injectable()
export class StripeEventInbox {
  constructor(private readonly webhooks: WebhookRepository) {}

  /**
   * Stores the whole verified event once by its id, leased to `holder` (the receiving request)
   * for {@link REQUEST_LEASE_MS}; `created` is false for a redelivery, which changes nothing.
   */
  record(event: Stripe.Event, holder: string): Promise<RecordedWebhookEvent> {
    return this.webhooks.recordIfNew(
      {
        stripeEventId: event.id,
        eventType: event.type,
        payload: event as unknown as Record<string, unknown>,
      },
      { workerId: holder, leaseMs: REQUEST_LEASE_MS },
    );
  }

  /**
   * Leases to `holder` up to `limit` unprocessed events that failed fewer than `maxRetries`
   * times and that no one holds, oldest first: no other holder gets them until `leaseMs` ends.
   */
  claim(holder: string, options: ClaimOptions): Promise<IWebhookEventEntity[]> {
    return this.webhooks.claimRetryable(holder, options);
  }

  /**
   * Marks the event processed and releases it (inside the transaction that applied it), if
   * `holder` still holds it; LeaseLostException when another holder has taken it since.
   */
  async complete(id: string, holder: string): Promise<void> {
    await this.webhooks.markProcessed(id, holder);
  }

  /**
   * Records a failed attempt with its message, counting it towards `maxRetries`, and releases the
   * event to the next claim, if `holder` still holds it; LeaseLostException otherwise.
   */
  async fail(id: string, holder: string, message: string): Promise<void> {
    await this.webhooks.markFailed(id, holder, message);
  }
}
