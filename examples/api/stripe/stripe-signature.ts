import { BadRequestException, ServiceUnavailableException } from '@nestjs/common';
import Stripe from 'stripe';
import {
  DEFAULT_STRIPE_TOLERANCE_SECONDS,
  type StripeWebhookOptions,
} from './stripe-webhook.options';

/** What the route answers while no signing secret is configured. */
export const WEBHOOKS_OFF_MESSAGE =
  'Stripe webhooks are off: STRIPE_WEBHOOK_SECRET is not set, so no event can be verified';

/**
 * Checks the `Stripe-Signature` header over the exact bytes received and returns the parsed event.
 * ServiceUnavailableException (503) without a secret, so Stripe keeps retrying until one is set;
 * BadRequestException (400) for a missing body or header, a wrong signature, a changed body or a
 * timestamp outside the tolerance. Nothing is trusted, or stored, before this passes.
 */
export function verifyStripeEvent(
  rawBody: Buffer | undefined,
  signature: string | undefined,
  options: StripeWebhookOptions,
): Stripe.Event {
  if (!options.secret) throw new ServiceUnavailableException(WEBHOOKS_OFF_MESSAGE);
  if (!rawBody || rawBody.length === 0) {
    throw new BadRequestException(
      'A Stripe event needs its JSON body (content-type application/json)',
    );
  }
  if (!signature) throw new BadRequestException('The Stripe-Signature header is missing');
  let event: Stripe.Event;
  try {
    event = Stripe.webhooks.constructEvent(
      rawBody,
      signature,
      options.secret,
      options.toleranceSeconds ?? DEFAULT_STRIPE_TOLERANCE_SECONDS,
    );
  } catch (error) {
    throw new BadRequestException(`Stripe-Signature verification failed: ${failureOf(error)}`);
  }
  if (typeof event?.id !== 'string' || typeof event.type !== 'string') {
    throw new BadRequestException('The signed body is not a Stripe event (no id or type)');
  }
  return event;
}

/**
 * The failed check, in our own fixed words. Stripe's own messages are not passed on: for a header
 * that carries `secret=` debug metadata they quote the length and last four characters of the
 * configured secret, and whoever sends the request chooses the header.
 */
function failureOf(error: unknown): string {
  if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) {
    return 'the signed body is not a JSON event';
  }
  return error.message === 'Timestamp outside the tolerance zone'
    ? 'the signed timestamp is outside the tolerance'
    : 'no signature matches the body with the configured secret';
}
