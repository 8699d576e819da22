import { SubscriptionEntity, type ISubscriptionEntity } from '../entities/subscription.entity';
import { belongsTo, withRelations } from './relations';
import { defineTable } from './table-definition';
import { usersTable } from './users.table';

/** The `subscriptions` table; each belongs to a user. */
export const subscriptionsTable = withRelations(
  defineTable<ISubscriptionEntity>({
    name: 'subscriptions',
    entity: SubscriptionEntity,
    // timestamptz(3) since migration postgres/0009, the library's text since sqlite/0007.
    timestampPrecision: 'ms',
    columns: {
      stripeSubscriptionId: { type: 'string', unique: true },
      userId: { type: 'uuid' },
      stripeCustomerId: { type: 'string', nullable: true },
      productId: { type: 'string' },
      priceId: { type: 'string' },
      status: { type: 'string' },
      currentPeriodStart: { type: 'timestamp' },
      currentPeriodEnd: { type: 'timestamp' },
      trialStart: { type: 'timestamp', nullable: true },
      trialEnd: { type: 'timestamp', nullable: true },
      cancelAtPeriodEnd: { type: 'boolean' },
      canceledAt: { type: 'timestamp', nullable: true },
      quantity: { type: 'integer' },
      metadata: { type: 'json' },
      // The newest Stripe event written (migrations sqlite/0008, postgres/0010).
      lastEventAt: { type: 'timestamp', nullable: true },
    },
  }),
  { user: belongsTo(() => usersTable, 'userId') },
);
