import { UserEntity, type IUserEntity } from '../entities/user.entity';
import { defineTable } from './table-definition';

/** The `users` table. */
export const usersTable = defineTable<IUserEntity>({
  name: 'users',
  entity: UserEntity,
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
