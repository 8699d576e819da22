import type { IPaymentEntity } from '../entities/payment.entity';
import type { ISubscriptionEntity } from '../entities/subscription.entity';
import { UserEntity, type IUserEntity } from '../entities/user.entity';
import { paymentsTable } from './payments.table';
import { hasMany, withRelations } from './relations';
import { subscriptionsTable } from './subscriptions.table';
import { defineTable, type TableDefinition } from './table-definition';

/** The `users` table; a user has many payments and subscriptions. */
export const usersTable = withRelations(
  defineTable<IUserEntity>({
    name: 'users',
    entity: UserEntity,
    // timestamptz(3) since migration postgres/0009, the library's text since sqlite/0007.
    timestampPrecision: 'ms',
    columns: {
      email: { type: 'string', unique: true },
      firstName: { type: 'string' },
      lastName: { type: 'string' },
      passwordHash: { type: 'text', nullable: true, sensitive: true },
      role: { type: 'string' },
      status: { type: 'string' },
      emailVerified: { type: 'boolean' },
      phone: { type: 'string', nullable: true },
      avatarUrl: { type: 'text', nullable: true },
      stripeCustomerId: { type: 'string', nullable: true, unique: true },
      lastLogin: { type: 'timestamp', nullable: true },
    },
    searchable: ['email', 'firstName', 'lastName'],
  }),
  {
    // The return types are written out: the related tables name users back, and TypeScript cannot
    // infer two initializers that depend on each other.
    payments: hasMany((): TableDefinition<IPaymentEntity> => paymentsTable, 'userId'),
    subscriptions: hasMany(
      (): TableDefinition<ISubscriptionEntity> => subscriptionsTable,
      'userId',
    ),
  },
);
