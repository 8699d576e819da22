import { randomUUID } from 'node:crypto';
import { PaymentStatus } from '../../../src/entities/payment.entity';
import { SubscriptionStatus } from '../../../src/entities/subscription.entity';
import type { PaymentCreateInput } from '../../../src/repositories/payment.repository';
import type { SubscriptionCreateInput } from '../../../src/repositories/subscription.repository';
import type { UserCreateInput } from '../../../src/repositories/user.repository';

/** A valid new user with a unique email; `overrides` replace any property. */
export function userInput(overrides: Partial<UserCreateInput> = {}): UserCreateInput {
  const tag = randomUUID().slice(0, 8);
  return {
    email: `user-${tag}@example.com`,
    firstName: 'Ada',
    lastName: 'Lovelace',
    passwordHash: '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
    ...overrides,
  };
}

/** A valid payment of `userId` with a unique PaymentIntent id. */
export function paymentInput(
  userId: string,
  overrides: Partial<PaymentCreateInput> = {},
): PaymentCreateInput {
  return {
    stripePaymentIntentId: `pi_${randomUUID().replace(/-/g, '')}`,
    userId,
    amount: 1999,
    currency: 'usd',
    status: PaymentStatus.Succeeded,
    ...overrides,
  };
}

/** A valid subscription of `userId` with a unique Stripe id. */
export function subscriptionInput(
  userId: string,
  overrides: Partial<SubscriptionCreateInput> = {},
): SubscriptionCreateInput {
  return {
    stripeSubscriptionId: `sub_${randomUUID().replace(/-/g, '')}`,
    userId,
    productId: 'prod_basic',
    priceId: 'price_monthly',
    status: SubscriptionStatus.Active,
    currentPeriodStart: '2024-05-01T00:00:00.000Z',
    currentPeriodEnd: '2024-06-01T00:00:00.000Z',
    ...overrides,
  };
}
