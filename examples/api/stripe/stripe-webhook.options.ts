/** The injection token of the {@link StripeWebhookOptions} of `POST /webhooks/stripe`. */
export const STRIPE_WEBHOOK_OPTIONS = Symbol('STRIPE_WEBHOOK_OPTIONS');

/** How `POST /webhooks/stripe` checks what it receives. */
export interface StripeWebhookOptions {
  /**
   * The endpoint's signing secret (`whsec_…`, from the Stripe Dashboard or `stripe listen`).
   * Default is none: the route then answers 503 and never accepts an event.
   */
  secret?: string;
  /**
   * How far (in seconds) the signed timestamp may be from now. Default is Stripe's own, 300.
   */
  toleranceSeconds?: number;
}

/** Stripe's default tolerance of a signed timestamp, in seconds (what `constructEvent` uses). */
export const DEFAULT_STRIPE_TOLERANCE_SECONDS = 300;

/**
 * Reads the webhook options from the environment: `STRIPE_WEBHOOK_SECRET`, blank meaning unset.
 * `NODE_ENV` plays no part: an unsigned event is refused in every environment.
 */
export function stripeWebhookOptionsFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): StripeWebhookOptions {
  const secret = env.STRIPE_WEBHOOK_SECRET?.trim();
  return secret ? { secret } : {};
}
