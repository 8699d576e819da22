import { Controller, Headers, HttpCode, Inject, Post, RawBody } from '@nestjs/common';
import { holderId, StripeEventInbox } from './stripe/event-inbox';
import { StripeEventProcessor } from './stripe/stripe-event-processor';
import { verifyStripeEvent } from './stripe/stripe-signature';
import { STRIPE_WEBHOOK_OPTIONS, type StripeWebhookOptions } from './stripe/stripe-webhook.options';

/** What `POST /webhooks/stripe` answers to every verified delivery. */
export interface WebhookReceipt {
  received: true;
  /** True when this event id had been stored before: the delivery is a repeat, not applied again. */
  duplicate: boolean;
  /** The stored event's id. */
  id: string;
}

/**
 * Receives Stripe events. The signature is checked over the raw body (the app is created with
 * `rawBody: true`; no pipe reads this body), the whole event is stored once by its id, leased to
 * this API process, and a new event is processed at once; no worker takes it meanwhile. The
 * answer is 200 whether processing worked or not: the event is stored, and a failed one is
 * retried from the inbox by the workers (`npm run worker`), not by Stripe. Only an event that
 * could not be stored gets an error, so that Stripe delivers it again.
 */
@Controller('webhooks')
export class WebhooksController {
  private readonly holder = holderId('api');

  constructor(
    @Inject(STRIPE_WEBHOOK_OPTIONS) private readonly options: StripeWebhookOptions,
    private readonly inbox: StripeEventInbox,
    private readonly processor: StripeEventProcessor,
  ) {}

  @Post('stripe')
  @HttpCode(200)
  async stripe(
    @RawBody() rawBody: Buffer | undefined,
    @Headers('stripe-signature') signature: string | undefined,
  ): Promise<WebhookReceipt> {
    const event = verifyStripeEvent(rawBody, signature, this.options);
    const { event: stored, created } = await this.inbox.record(event, this.holder);
    if (created) await this.processor.process(stored, this.holder);
    return { received: true, duplicate: !created, id: stored.id };
  }
}
