import { PaymentEntity, type IPaymentEntity } from '../entities/payment.entity';
import { belongsTo, withRelations } from './relations';
import { defineTable } from './table-definition';
import { usersTable } from './users.table';

/** The `payments` table; each belongs to a user. */
export const paymentsTable = withRelations(
  defineTable<IPaymentEntity>({
    name: 'payments',
    entity: PaymentEntity,
    // timestamptz(3) since migration postgres/0009, the library's text since sqlite/0007.
    timestampPrecision: 'ms',
    columns: {
      stripePaymentIntentId: { type: 'string', unique: true },
      userId: { type: 'uuid' },
      stripeCustomerId: { type: 'string', nullable: true },
      amount: { type: 'integer' },
      currency: { type: 'string' },
      status: { type: 'string' },
      paymentMethod: { type: 'string', nullable: true },
      description: { type: 'text', nullable: true },
      metadata: { type: 'json' },
      // The newest Stripe event written (migrations sqlite/0008, postgres/0010).
      lastEventAt: { type: 'timestamp', nullable: true },
    },
    searchable: ['description'],
  }),
  { user: belongsTo(() => usersTable, 'userId') },
);
