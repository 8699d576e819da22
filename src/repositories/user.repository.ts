import { Injectable } from '@nestjs/common';
import type {
  FindByIdOptions,
  ICursorPaginatedResult,
  IPaginatedResult,
} from '../adapters/database-adapter.interface';
import type { IPaymentEntity } from '../entities/payment.entity';
import type { ISubscriptionEntity } from '../entities/subscription.entity';
import { UserEntity, UserRole, UserStatus, type IUserEntity } from '../entities/user.entity';
import { paymentsTable } from '../schema/payments.table';
import { subscriptionsTable } from '../schema/subscriptions.table';
import type { CreateInput, UpdateInput } from '../schema/table-definition';
import { usersTable } from '../schema/users.table';
import {
  BaseRepository,
  type CreateInputWithDefaults,
  type CursorFindOptions,
  type OffsetFindOptions,
} from './base.repository';
import { ValidationException } from '../exceptions';
import { requireArray, requireKey } from './argument-checks';
import { groupBy, loadByForeignKey } from './relation-loader';

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
export class UserRepository extends BaseRepository<IUserEntity, UserCreateInput> {
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

  /** A cursor page of users, each with their payments and subscriptions: three queries in all. */
  findWithBilling(
    options: CursorFindOptions<IUserEntity>,
  ): Promise<ICursorPaginatedResult<UserWithBilling>>;
  /**
   * An offset page of users, each with their payments and subscriptions: the page (plus its
   * count), then one query per relation for the whole page, never one per user.
   */
  findWithBilling(
    options?: OffsetFindOptions<IUserEntity>,
  ): Promise<IPaginatedResult<UserWithBilling>>;
  async findWithBilling(
    options: OffsetFindOptions<IUserEntity> | CursorFindOptions<IUserEntity> = {},
  ): Promise<IPaginatedResult<UserWithBilling> | ICursorPaginatedResult<UserWithBilling>> {
    const page = await this.adapter.findPage(options, this.table);
    return { ...page, data: await this.attachBilling(page.data) };
  }

  /**
   * Pairs each user with their live payments and subscriptions, loaded in one query per relation
   * for all the users together. The result keeps the order of `users`.
   */
  async attachBilling(users: readonly IUserEntity[]): Promise<UserWithBilling[]> {
    const ids = requireArray(users, 'users').map((user) => {
      if (typeof user !== 'object' || user === null || typeof user.id !== 'string') {
        throw new ValidationException('users must hold users (objects with an id)', 'users');
      }
      return user.id;
    });
    const [payments, subscriptions] = await Promise.all([
      loadByForeignKey(this.adapter, paymentsTable, 'userId', ids),
      loadByForeignKey(this.adapter, subscriptionsTable, 'userId', ids),
    ]);
    const paymentsByUser = groupBy(payments, 'userId');
    const subscriptionsByUser = groupBy(subscriptions, 'userId');
    return users.map((user) => ({
      user,
      payments: paymentsByUser.get(user.id) ?? [],
      subscriptions: subscriptionsByUser.get(user.id) ?? [],
    }));
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

/** Lower-cases an email; anything else is passed on for validation to reject. */
function lowerCase<V>(email: V): V {
  return (typeof email === 'string' ? email.toLowerCase() : email) as V;
}
