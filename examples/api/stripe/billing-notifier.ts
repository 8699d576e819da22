import { Injectable, Logger } from '@nestjs/common';

/** What a user is told about their billing: the side effects of Stripe events. */
export interface BillingNotice {
  kind: 'invoice-paid' | 'invoice-payment-failed' | 'subscription-ended';
  userId: string;
  /** The Stripe object the notice is about (`in_…`, `sub_…`). */
  stripeObjectId: string;
  /** Minor units (cents), for invoices. */
  amount?: number;
  currency?: string;
}

/**
 * Sends billing notices. The example logs them; a real service sends an email or a push here.
 * It is called only after the event's transaction has committed, so a rolled-back event (retried
 * later) never tells anyone anything, and a notice is sent once per event.
 */
@Injectable()
export class BillingNotifier {
  private readonly logger = new Logger('BillingNotifier');

  /** Sends one notice. */
  async notify(notice: BillingNotice): Promise<void> {
    this.logger.log(`${notice.kind} for user ${notice.userId} (${notice.stripeObjectId})`);
  }
}
