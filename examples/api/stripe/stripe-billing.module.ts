import { Module } from '@nestjs/common';
import { StripeEventApplier } from './apply-event';
import { BillingNotifier } from './billing-notifier';
import { StripeEventInbox } from './event-inbox';
import { StripeEventProcessor } from './stripe-event-processor';

/**
 * Stripe event processing, shared by the API (which processes an event as it arrives) and the
 * worker (which retries the failed ones). Needs `DatabaseModule.forRoot` next to it.
 */
@Module({
  providers: [BillingNotifier, StripeEventApplier, StripeEventInbox, StripeEventProcessor],
  exports: [BillingNotifier, StripeEventInbox, StripeEventProcessor],
})
export class StripeBillingModule {}
