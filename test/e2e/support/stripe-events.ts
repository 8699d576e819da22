import Stripe from 'stripe';

/**
 * Stripe events as Stripe sends them (API version of the installed `stripe` package), typed with
 * its own types so that a field it adds, renames or moves fails the type check here, and signed
 * with its own test helper. The objects are in stripe-objects.ts and stripe-subscriptions.ts.
 * Times are Unix seconds, as in Stripe's JSON.
 */

/** A fixed "now" for object timestamps: 2026-01-15T00:00:00Z. */
export const T0 = 1_768_435_200;
/** A day in seconds. */
export const DAY = 86_400;

let sequence = 0;
/** A Stripe-looking id with this prefix, unique in the test process. */
export function stripeId(prefix: string): string {
  sequence += 1;
  return `${prefix}_Test${Date.now().toString(36)}${sequence.toString(36).padStart(4, '0')}`;
}

/** The event of a given type, narrowed from Stripe's union of events. */
export type EventOf<K extends Stripe.Event['type']> = Extract<Stripe.Event, { type: K }>;

/** An event of this type about this object, created at `created` (Unix seconds; default now). */
export function event<K extends Stripe.Event['type']>(
  type: K,
  object: EventOf<K>['data']['object'],
  created: number = Math.floor(Date.now() / 1000),
): EventOf<K> {
  const envelope: Omit<Stripe.EventBase, 'type' | 'data'> = {
    id: stripeId('evt'),
    object: 'event',
    api_version: Stripe.API_VERSION,
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: stripeId('req'), idempotency_key: null },
  };
  // TypeScript cannot pair a generic `type` with its member of the union; the object is typed.
  return { ...envelope, type, data: { object } } as EventOf<K>;
}

/** A delivery as Stripe makes it: the JSON body and its `Stripe-Signature` header. */
export interface Delivery {
  body: string;
  signature: string;
}

/**
 * Signs an event with `secret` the way Stripe does (`t=<timestamp>,v1=<HMAC-SHA256>`), through
 * the SDK's own `generateTestHeaderString`. Default timestamp is now.
 */
export function deliver(stripeEvent: Stripe.Event, secret: string, timestamp?: number): Delivery {
  const body = JSON.stringify(stripeEvent, null, 2);
  return {
    body,
    signature: Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp }),
  };
}
