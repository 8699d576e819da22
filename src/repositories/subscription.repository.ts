import { Injectable } from '@nestjs/common';
import type { UpsertResult } from '../adapters/database-adapter.interface';
import {
  SubscriptionEntity,
  SubscriptionStatus,
  type ISubscriptionEntity,
} from '../entities/subscription.entity';
import { subscriptionsTable } from '../schema/subscriptions.table';
import type { CreateInput } from '../schema/table-definition';
import { BaseRepository, type CreateInputWithDefaults } from './base.repository';
import { requireKey, requireObject, stripeEventTime } from './argument-checks';
import { loadByForeignKey } from './relation-loader';

/**
 * What {@link SubscriptionRepository.create} takes: `metadata` defaults to `{}`,
 * `cancelAtPeriodEnd` to `false`, `quantity` to `1`.
 */
export type SubscriptionCreateInput = CreateInputWithDefaults<
  ISubscriptionEntity,
  'metadata' | 'cancelAtPeriodEnd' | 'quantity'
>;

/**
 * The statuses in which a subscription still grants access. `past_due` is included: Stripe keeps
 * the subscription alive while it retries the failed payment, and cutting access on the first
 * failed charge is rarely what a product wants. `incomplete`, `unpaid`, `paused` and the ended
 * statuses do not count.
 */
export const ACTIVE_SUBSCRIPTION_STATUSES: readonly SubscriptionStatus[] = Object.freeze([
  SubscriptionStatus.Active,
  SubscriptionStatus.Trialing,
  SubscriptionStatus.PastDue,
]);

/** Subscriptions (Stripe Subscriptions), keyed by their `stripeSubscriptionId`. */
@Injectable()
export class SubscriptionRepository extends BaseRepository<
  ISubscriptionEntity,
  SubscriptionCreateInput
> {
  protected readonly table = subscriptionsTable;
  protected override readonly entityClass = SubscriptionEntity;

  /**
   * The live subscription with this Stripe id, or null. ValidationException when the id is not a
   * non-empty string.
   */
  async findByStripeSubscriptionId(
    stripeSubscriptionId: string,
  ): Promise<ISubscriptionEntity | null> {
    return this.findFirst({
      stripeSubscriptionId: requireKey(stripeSubscriptionId, 'stripeSubscriptionId'),
    });
  }

  /**
   * Inserts the subscription, or overwrites the live one with the same `stripeSubscriptionId`
   * with these values (defaults included), atomically. `created` says which happened. From
   * webhooks, which arrive in no guaranteed order, use {@link upsertFromStripe}.
   */
  upsertByStripeId(data: SubscriptionCreateInput): Promise<UpsertResult<ISubscriptionEntity>> {
    return this.upsert(data, { conflictField: 'stripeSubscriptionId', onConflict: 'update' });
  }

  /**
   * Writes a subscription from a Stripe event, in event order: inserts it, or overwrites the live
   * one with the same `stripeSubscriptionId` only when `eventCreated` (the event's `created`, in
   * seconds) is not older than the event that last wrote it (`lastEventAt`). One atomic statement
   * on SQL engines, a compare-and-swap on Supabase. `applied: false` means the stored
   * subscription is newer and was kept: a late delivery, safe to acknowledge. Events of the same
   * second are applied in the order they are processed (Stripe's clock has whole seconds).
   */
  upsertFromStripe(
    data: SubscriptionCreateInput,
    eventCreated: number,
  ): Promise<UpsertResult<ISubscriptionEntity>> {
    const lastEventAt = stripeEventTime(eventCreated);
    return this.upsert(
      { ...requireObject(data, 'data'), lastEventAt },
      { conflictField: 'stripeSubscriptionId', onConflict: 'update', orderedBy: 'lastEventAt' },
    );
  }

  /**
   * A user's subscriptions that grant access (see {@link ACTIVE_SUBSCRIPTION_STATUSES}), the one
   * whose period ends last first.
   */
  async findActiveByUser(userId: string): Promise<ISubscriptionEntity[]> {
    return this.findMany({
      filters: {
        userId: requireKey(userId, 'userId'),
        status: { in: ACTIVE_SUBSCRIPTION_STATUSES },
      },
      orderBy: { field: 'currentPeriodEnd', direction: 'desc' },
    });
  }

  /** The live subscriptions of all these users in one query, oldest first; `[]` for no ids. */
  findByUserIds(userIds: readonly string[]): Promise<ISubscriptionEntity[]> {
    return loadByForeignKey(this.adapter, this.table, 'userId', userIds, 'userIds');
  }

  protected override prepareCreate(
    data: SubscriptionCreateInput,
  ): CreateInput<ISubscriptionEntity> {
    return {
      ...data,
      metadata: data.metadata ?? {},
      cancelAtPeriodEnd: data.cancelAtPeriodEnd ?? false,
      quantity: data.quantity ?? 1,
    };
  }
}
