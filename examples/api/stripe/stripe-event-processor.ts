import { Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import { LeaseLostException, type IWebhookEventEntity } from '../../../src';
import { StripeEventApplier } from './apply-event';
import { StripeEventInbox, type ClaimOptions } from './event-inbox';

/** What one round of {@link StripeEventProcessor.processClaimed} did. */
export interface BatchReport {
  claimed: number;
  processed: number;
  failed: number;
}

/** The longest error message kept on a failed event. */
const MAX_ERROR_LENGTH = 500;

/**
 * Processes stored Stripe events on behalf of the holder of their lease: each one applied and
 * marked processed in one transaction, or marked failed (and so released to be retried later)
 * with the reason. Never throws: a failure stays in the inbox.
 */
@Injectable()
export class StripeEventProcessor {
  private readonly logger = new Logger('StripeEventProcessor');

  constructor(
    private readonly inbox: StripeEventInbox,
    private readonly applier: StripeEventApplier,
  ) {}

  /** Processes one stored event on behalf of `holder`; true when it was applied. */
  async process(stored: IWebhookEventEntity, holder: string): Promise<boolean> {
    const event = stored.payload as unknown as Stripe.Event;
    try {
      await this.applier.applyAndComplete(event, () => this.inbox.complete(stored.id, holder));
      return true;
    } catch (error) {
      if (error instanceof LeaseLostException) {
        // Its lease ended and another holder took the event: the attempt is rolled back, and
        // the event is theirs to finish.
        this.logger.warn(`Stripe event ${stored.stripeEventId} was taken over by another holder`);
        return false;
      }
      const message = (error instanceof Error ? error.message : String(error)).slice(
        0,
        MAX_ERROR_LENGTH,
      );
      this.logger.warn(
        `Stripe event ${stored.stripeEventId} (${stored.eventType}) failed: ${message}`,
      );
      await this.inbox
        .fail(stored.id, holder, message)
        .catch((failure: Error) =>
          this.logger.error(
            `Could not record the failure of ${stored.stripeEventId}: ${failure.message}`,
          ),
        );
      return false;
    }
  }

  /** Claims retryable events for `holder` (each leased to it alone) and processes each once. */
  async processClaimed(holder: string, options: ClaimOptions): Promise<BatchReport> {
    const claimed = await this.inbox.claim(holder, options);
    let processed = 0;
    for (const stored of claimed) {
      if (await this.process(stored, holder)) processed += 1;
    }
    return { claimed: claimed.length, processed, failed: claimed.length - processed };
  }
}
