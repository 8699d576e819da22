import { Injectable } from '@nestjs/common';
import type {
  FindByIdOptions,
  ICursorPaginatedResult,
  IPaginatedResult,
} from '../adapters/database-adapter.interface';
import type { IPaymentEntity } from '../entities/payment.entity';
import type { ISubscriptionEntity } from '../entities/subscription.entity';
import { UserEntity, UserRole, UserStatus, type IUserEntity } from '../entities/user.entity';
import type { CreateInput, UpdateInput } from '../schema/table-definition';
import { usersTable } from '../schema/users.table';
import {
  BaseRepository,
  type CreateInputWithDefaults,
  type CursorFindOptions,
  type OffsetFindOptions,
  type RelationsOf,
} from './base.repository';
import { ValidationException } from '../exceptions';
import { requireArray, requireKey } from './argument-checks';
import { loadIncluded } from './relation-loader';

/** What a user's billing is read with: their live payments and subscriptions, oldest first. */
const BILLING = { payments: true, subscriptions: true } as const;

/**
 * What {@link UserRepository.create} takes: `role` defaults to `User`, `status` to `Active`,
 * `emailVerified` to `false`.
 */
export type UserCreateInput = CreateInputWithDefaults<
  IUserEntity,
  'role' | 'status' | 'emailVerified'
>;

/**
 * A user with their live payments and subscriptions, oldest first. The user stays a separate
 * property (not spread) so it keeps its class; its `passwordHash` stays hidden either way.
 */
export interface UserWithBilling {
  user: IUserEntity;
  payments: IPaymentEntity[];
  subscriptions: ISubscriptionEntity[];
}

/**
 * Users. Emails are stored lower-case: `create`, `createMany`, `upsert` and `update` lower-case
 * them, and {@link findByEmail} lower-cases its argument, so lookups ignore case.
 */
@Injectable()
export class UserRepository extends BaseRepository<
  IUserEntity,
  UserCreateInput,
  RelationsOf<typeof usersTable>
> {
  protected readonly table = usersTable;
  protected override readonly entityClass = UserEntity;

  /**
   * The live user with this email in any letter case, or null. ValidationException when `email`
   * is not a non-empty string.
   */
  async findByEmail(email: string, options?: FindByIdOptions): Promise<IUserEntity | null> {
    const filters = { email: lowerCase(requireKey(email, 'email')) };
    return this.findFirst({ filters, includeDeleted: options?.includeDeleted });
  }

  /**
   * The live user with this Stripe customer id, or null. ValidationException when the id is not a
   * non-empty string.
   */
  async findByStripeCustomerId(stripeCustomerId: string): Promise<IUserEntity | null> {
    return this.findFirst({ stripeCustomerId: requireKey(stripeCustomerId, 'stripeCustomerId') });
  }

  /** Sets `lastLogin` to `at` (a valid Date) and returns the user. Default is now. */
  async updateLastLogin(id: string, at: Date = new Date()): Promise<IUserEntity> {
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) {
      throw new ValidationException('at must be a valid Date', 'at');
    }
    return this.update(id, { lastLogin: at.toISOString() });
  }

  /** A cursor page of users, each with their payments and subscriptions, in one query. */
  findWithBilling(
    options: CursorFindOptions<IUserEntity>,
  ): Promise<ICursorPaginatedResult<UserWithBilling>>;
  /**
   * An offset page of users, each with their payments and subscriptions: one query for the page,
   * its total and both relations (an `include`), whatever the page size.
   */
  findWithBilling(
    options?: OffsetFindOptions<IUserEntity>,
  ): Promise<IPaginatedResult<UserWithBilling>>;
  async findWithBilling(
    options: OffsetFindOptions<IUserEntity> | CursorFindOptions<IUserEntity> = {},
  ): Promise<IPaginatedResult<UserWithBilling> | ICursorPaginatedResult<UserWithBilling>> {
    const page = await this.adapter.findPage({ ...options, include: BILLING }, this.table);
    return { ...page, data: page.data.map((user) => withBilling(user, user)) };
  }

  /**
   * Pairs each user with their live payments and subscriptions, read in one query (the users by
   * id, with both relations included). The result keeps the order and the objects of `users`.
   */
  async attachBilling(users: readonly IUserEntity[]): Promise<UserWithBilling[]> {
    const ids = requireArray(users, 'users').map((user) => {
      if (typeof user !== 'object' || user === null || typeof user.id !== 'string') {
        throw new ValidationException('users must hold users (objects with an id)', 'users');
      }
      return user.id;
    });
    const loaded = await loadIncluded(this.adapter, this.table, ids, BILLING);
    return users.map((user) => withBilling(user, loaded.get(user.id)));
  }

  protected override prepareCreate(data: UserCreateInput): CreateInput<IUserEntity> {
    return {
      ...data,
      email: lowerCase(data.email),
      role: data.role ?? UserRole.User,
      status: data.status ?? UserStatus.Active,
      emailVerified: data.emailVerified ?? false,
    };
  }

  protected override prepareUpdate(data: UpdateInput<IUserEntity>): UpdateInput<IUserEntity> {
    return data.email === undefined ? data : { ...data, email: lowerCase(data.email) };
  }
}

/**
 * `user` with the billing found on `read` (a user read with {@link BILLING} included), which loses
 * those properties, so a user never carries them.
 */
function withBilling(user: IUserEntity, read: object | undefined): UserWithBilling {
  const billing = (read ?? {}) as Partial<Omit<UserWithBilling, 'user'>>;
  const { payments = [], subscriptions = [] } = billing;
  delete billing.payments;
  delete billing.subscriptions;
  return { user, payments, subscriptions };
}

/** Lower-cases an email; anything else is passed on for validation to reject. */
function lowerCase<V>(email: V): V {
  return (typeof email === 'string' ? email.toLowerCase() : email) as V;
}
