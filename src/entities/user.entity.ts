import type { IBaseEntity } from '../schema/table-definition';

/** What a user may do. */
export enum UserRole {
  User = 'User',
  Admin = 'Admin',
}

/** Whether a user may sign in. */
export enum UserStatus {
  Active = 'Active',
  Inactive = 'Inactive',
  Suspended = 'Suspended',
}

/** A row of `users`. Emails are stored lower-case. */
export interface IUserEntity extends IBaseEntity {
  email: string;
  firstName: string;
  lastName: string;
  passwordHash?: string | null;
  role: UserRole;
  status: UserStatus;
  emailVerified: boolean;
  phone?: string | null;
  avatarUrl?: string | null;
  stripeCustomerId?: string | null;
  lastLogin?: string | null;
}
