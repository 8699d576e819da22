import { UserRole, UserStatus, type IUserEntity } from '../../../src/entities/user.entity';
import type { CreateInput } from '../../../src/schema';

/** A user input with this email. */
export const user = (email: string): CreateInput<IUserEntity> => ({
  email,
  firstName: 'Ada',
  lastName: 'Lovelace',
  passwordHash: 'secret-hash',
  role: UserRole.User,
  status: UserStatus.Active,
  emailVerified: false,
  phone: null,
  avatarUrl: null,
  stripeCustomerId: null,
  lastLogin: null,
});

/** Read options that ask for the cache. */
export const cached = { cache: { ttlMs: 60_000 } };
