import { Injectable } from '@nestjs/common';
import type {
  ICursorPaginatedResult,
  ICursorPaginationOptions,
  IPaginatedResult,
  IPaginationOptions,
  UpsertResult,
} from '../adapters/database-adapter.interface';
import { PaymentEntity, type IPaymentEntity } from '../entities/payment.entity';
import { paymentsTable } from '../schema/payments.table';
import type { CreateInput } from '../schema/table-definition';
import {
  BaseRepository,
  type CreateInputWithDefaults,
  type CursorFindOptions,
} from './base.repository';
import { requireKey, requireObject, stripeEventTime } from './argument-checks';
import { loadByForeignKey } from './relation-loader';

/** What {@link PaymentRepository.create} takes: `metadata` defaults to `{}`. */
export type PaymentCreateInput = CreateInputWithDefaults<IPaymentEntity, 'metadata'>;

/** The first page {@link PaymentRepository.findByUser} returns when given no pagination. */
const FIRST_PAGE: IPaginationOptions = { page: 1, limit: 20 };

/** Payments (Stripe PaymentIntents), keyed by their `stripePaymentIntentId`. */
@Injectable()
export class PaymentRepository extends BaseRepository<IPaymentEntity, PaymentCreateInput> {
  protected readonly table = paymentsTable;
  protected override readonly entityClass = PaymentEntity;

  /**
   * The live payment with this PaymentIntent id, or null. ValidationException when the id is not
   * a non-empty string.
   */
  async findByStripePaymentIntentId(stripePaymentIntentId: string): Promise<IPaymentEntity | null> {
    return this.findFirst({
      stripePaymentIntentId: requireKey(stripePaymentIntentId, 'stripePaymentIntentId'),
    });
  }

  /**
   * Inserts the payment, or overwrites the live one with the same `stripePaymentIntentId` with
   * these values (defaults included), atomically. `created` says which happened. Stripe sends
   * each PaymentIntent many times as it changes state, in no guaranteed order: from webhooks use
   * {@link upsertFromStripe}, which keeps the state of the newest event.
   */
  upsertByStripeId(data: PaymentCreateInput): Promise<UpsertResult<IPaymentEntity>> {
    return this.upsert(data, { conflictField: 'stripePaymentIntentId', onConflict: 'update' });
  }

  /**
   * Writes a payment from a Stripe event, in event order: inserts it, or overwrites the live one
   * with the same `stripePaymentIntentId` only when `eventCreated` (the event's `created`, in
   * seconds) is not older than the event that last wrote it (`lastEventAt`). One atomic statement
   * on SQL engines, a compare-and-swap on Supabase. `applied: false` means the stored payment is
   * newer and was kept: a late delivery, safe to acknowledge. Events of the same second are
   * applied in the order they are processed (Stripe's clock has whole seconds).
   */
  upsertFromStripe(
    data: PaymentCreateInput,
    eventCreated: number,
  ): Promise<UpsertResult<IPaymentEntity>> {
    const lastEventAt = stripeEventTime(eventCreated);
    return this.upsert(
      { ...requireObject(data, 'data'), lastEventAt },
      { conflictField: 'stripePaymentIntentId', onConflict: 'update', orderedBy: 'lastEventAt' },
    );
  }

  /** A cursor page of a user's payments, newest first. */
  findByUser(
    userId: string,
    pagination: CursorFindOptions['pagination'],
  ): Promise<ICursorPaginatedResult<IPaymentEntity>>;
  /** An offset page of a user's payments, newest first. Default is page 1 of 20. */
  findByUser(
    userId: string,
    pagination?: IPaginationOptions,
  ): Promise<IPaginatedResult<IPaymentEntity>>;
  async findByUser(
    userId: string,
    pagination: IPaginationOptions | ICursorPaginationOptions = FIRST_PAGE,
  ): Promise<IPaginatedResult<IPaymentEntity> | ICursorPaginatedResult<IPaymentEntity>> {
    return this.adapter.findPage(
      {
        filters: { userId: requireKey(userId, 'userId') },
        orderBy: { field: 'createdAt', direction: 'desc' },
        pagination,
      },
      this.table,
    );
  }

  /** The live payments of all these users in one query, oldest first; `[]` for no ids. */
  findByUserIds(userIds: readonly string[]): Promise<IPaymentEntity[]> {
    return loadByForeignKey(this.adapter, this.table, 'userId', userIds, 'userIds');
  }

  protected override prepareCreate(data: PaymentCreateInput): CreateInput<IPaymentEntity> {
    return { ...data, metadata: data.metadata ?? {} };
  }
}
