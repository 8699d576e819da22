import { UserEntity, type IUserEntity } from '../entities/user.entity';
import { defineTable } from './table-definition';

/** The `users` table. */
export const usersTable = defineTable<IUserEntity>({
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
});
