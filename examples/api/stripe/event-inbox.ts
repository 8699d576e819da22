import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';
import type Stripe from 'stripe';
import {
  WebhookRepository,
  type IWebhookEventEntity,
  type RecordedWebhookEvent,
} from '../../../src';

/** What a worker asks the inbox for. */
export interface ClaimOptions {
  /** Most events handed out at once. */
  limit: number;
  /** Events that failed this many times are left alone (dead letters, for a person to look at). */
  maxRetries: number;
  /** How long (ms) a claimed event stays with its holder before another may take it. */
  leaseMs: number;
}

/** A name for one processing process: role, host, pid and a random part. */
export function holderId(role: string): string {
  return `${role}:${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * The example's one door to the stored Stripe events (`webhook_events`): record on receipt,
 * hand out retryable ones, and mark them processed or failed on behalf of a holder.
 */
@Injectable()
export class StripeEventInbox {
  constructor(private readonly webhooks: WebhookRepository) {}

  /** Stores the whole verified event once by its id; `created` is false for a redelivery. */
  record(event: Stripe.Event): Promise<RecordedWebhookEvent> {
    return this.webhooks.recordIfNew({
      stripeEventId: event.id,
      eventType: event.type,
      payload: event as unknown as Record<string, unknown>,
    });
  }

  /**
   * Unprocessed events that failed fewer than `maxRetries` times, oldest first. An event received
   * less than `leaseMs` ago and never tried is left out: the request that stored it is processing
   * it. Without leases, two holders asking at once get the same events.
   */
  async claim(_holder: string, options: ClaimOptions): Promise<IWebhookEventEntity[]> {
    const receivedBefore = Date.now() - options.leaseMs;
    const retryable = await this.webhooks.findRetryable(options.maxRetries, options.limit);
    return retryable.filter(
      (event) => event.retryCount > 0 || Date.parse(event.createdAt) < receivedBefore,
    );
  }

  /** Marks the event processed (inside the transaction that applied it). */
  async complete(id: string, _holder: string): Promise<void> {
    await this.webhooks.markProcessed(id);
  }

  /** Records a failed attempt with its message, counting it towards `maxRetries`. */
  async fail(id: string, _holder: string, message: string): Promise<void> {
    await this.webhooks.markFailed(id, message);
  }
}
