import type { IUserEntity } from '../../src';

/** A user as the API returns it: every property except the password hash. */
export type UserResponse = Omit<IUserEntity, 'passwordHash'>;

/** Copies the public properties of a user, so a password hash can never reach a response. */
export function toUserResponse(user: IUserEntity): UserResponse {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    role: user.role,
    status: user.status,
    emailVerified: user.emailVerified,
    phone: user.phone ?? null,
    avatarUrl: user.avatarUrl ?? null,
    stripeCustomerId: user.stripeCustomerId ?? null,
    lastLogin: user.lastLogin ?? null,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    deletedAt: user.deletedAt ?? null,
  };
}
