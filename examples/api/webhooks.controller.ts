import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { WebhookRepository } from '../../src';
import { StripeEventDto } from './dto/stripe-event.dto';

/** What `POST /webhooks/stripe` answers. */
export interface WebhookReceipt {
  received: true;
  /** True when this event id had been stored before: the delivery is a repeat. */
  duplicate: boolean;
  /** The stored event's id. */
  id: string;
}

/**
 * Stores Stripe events idempotently. The signature is NOT verified: this is an example of the
 * storage side only; verify `Stripe-Signature` with Stripe's SDK before trusting a body.
 */
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhookRepository) {}

  @Post('stripe')
  @HttpCode(200)
  async stripe(@Body() body: StripeEventDto): Promise<WebhookReceipt> {
    const { event, created } = await this.webhooks.recordIfNew({
      stripeEventId: body.id,
      eventType: body.type,
      payload: { ...body },
    });
    return { received: true, duplicate: !created, id: event.id };
  }
}
