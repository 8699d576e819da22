import { Injectable } from '@nestjs/common';
import type { ClaimIncrement } from '../adapters/database-adapter.interface';
import { WebhookEventEntity, type IWebhookEventEntity } from '../entities/webhook-event.entity';
import { LeaseLostException, RecordNotFoundException, ValidationException } from '../exceptions';
import { MAX_LEASE_MS } from '../query/claim-input';
import type { CreateInput } from '../schema/table-definition';
import { webhookEventsTable } from '../schema/webhook-events.table';
import { requireInteger, requireKey, requireObject } from './argument-checks';
import { BaseRepository, type CreateInputWithDefaults } from './base.repository';

/** What {@link WebhookRepository.create} takes: `processed` defaults to `false`, `retryCount` to 0. */
export type WebhookEventCreateInput = CreateInputWithDefaults<
  IWebhookEventEntity,
  'processed' | 'retryCount'
>;

/** A Stripe event as received, for {@link WebhookRepository.recordIfNew}. */
export type ReceivedWebhookEvent = Pick<
  IWebhookEventEntity,
  'stripeEventId' | 'eventType' | 'payload'
>;

/** How {@link WebhookRepository.recordIfNew} leases the event it stores to its receiver. */
export interface RecordLeaseOptions {
  /**
   * Who processes the event now (the request that received it): the new event is stored leased
   * to it, as {@link WebhookRepository.claimRetryable} would lease it, so that only this id can
   * mark it and no claim takes it until the lease ends. Required.
   */
  workerId: string;
  /**
   * How long the lease lasts, in milliseconds: longer than processing an event takes. Default is
   * 60000.
   */
  leaseMs?: number;
}

/** The stored event, and whether this call stored it (false: it had been received before). */
export interface RecordedWebhookEvent {
  event: IWebhookEventEntity;
  created: boolean;
}

/** How {@link WebhookRepository.claimRetryable} claims; every option has a default. */
export interface ClaimRetryableOptions {
  /**
   * How long each claimed event stays with the worker, in milliseconds: once it has passed, any
   * worker may claim the event again. Longer than processing an event takes. Default is 60000.
   */
  leaseMs?: number;
  /** At most this many events (1 to the adapter's page maximum). Default is 10. */
  limit?: number;
  /** Events with this many failed attempts or more are left alone. Default is 5. */
  maxRetries?: number;
}

/** The defaults of {@link ClaimRetryableOptions}. */
export const CLAIM_RETRYABLE_DEFAULTS: Readonly<Required<ClaimRetryableOptions>> = Object.freeze({
  leaseMs: 60_000,
  limit: 10,
  maxRetries: 5,
});

/** The longest worker id: the column holds short text. */
const MAX_WORKER_ID_LENGTH = 255;

/**
 * Received Stripe webhook events: idempotent recording, then processing state and retries.
 * Stripe delivers an event at least once, and sometimes several times at once.
 */
@Injectable()
export class WebhookRepository extends BaseRepository<
  IWebhookEventEntity,
  WebhookEventCreateInput
> {
  protected readonly table = webhookEventsTable;
  protected override readonly entityClass = WebhookEventEntity;

  /**
   * The live event with this Stripe event id, or null. ValidationException when the id is not a
   * non-empty string.
   */
  async findByStripeEventId(stripeEventId: string): Promise<IWebhookEventEntity | null> {
    return this.findFirst({ stripeEventId: requireKey(stripeEventId, 'stripeEventId') });
  }

  /**
   * Stores the event unless one with the same `stripeEventId` is already stored, in one atomic
   * upsert (`onConflict: 'ignore'`): however many deliveries of one event race, exactly one
   * row exists afterwards and exactly one call gets `created: true`. Process the event only then.
   *
   * With `lease`, the new event is stored already leased to `lease.workerId` for `lease.leaseMs`,
   * in that same statement: the receiver marks it with {@link markProcessed} or
   * {@link markFailed} and its id, and no {@link claimRetryable} takes it meanwhile. If the
   * receiver dies first, the event is claimable once the lease ends. The lease's end is this
   * process's clock plus `leaseMs` (claims compare it with the database's clock on SQL
   * providers). A redelivery (`created: false`) changes nothing, its lease included.
   * ValidationException for a missing or over-long `workerId` or a bad `leaseMs`.
   *
   * @example
   * const { event, created } = await webhooks.recordIfNew(received, { workerId: requestId });
   * if (created) await processAndMark(event, requestId); // markProcessed(event.id, requestId)
   */
  async recordIfNew(
    received: ReceivedWebhookEvent,
    lease?: RecordLeaseOptions,
  ): Promise<RecordedWebhookEvent> {
    requireObject(received, 'received');
    const leased = lease === undefined ? {} : leaseAtRecording(lease);
    const { record, created } = await this.upsert(
      {
        stripeEventId: received.stripeEventId,
        eventType: received.eventType,
        payload: received.payload,
        ...leased,
      },
      { conflictField: 'stripeEventId', onConflict: 'ignore' },
    );
    return { event: record, created };
  }

  /**
   * Hands up to `limit` pending events (unprocessed, fewer than `maxRetries` failed attempts, no
   * unexpired lease) to `workerId`, oldest first, each with a lease of `leaseMs`: until it ends,
   * no other claim returns the event, however many workers (threads, processes, machines) claim at
   * once. Finish each with {@link markProcessed} or {@link markFailed} and this worker's id. A
   * worker that dies holds its events until their lease ends; then any worker claims them again.
   * ValidationException for an empty or over-long `workerId` or a bad option.
   *
   * @example
   * for (const event of await webhooks.claimRetryable(workerId, { leaseMs: 30_000 })) {
   *   try {
   *     await handle(event);
   *     await webhooks.markProcessed(event.id, workerId);
   *   } catch (error) {
   *     await webhooks.markFailed(event.id, workerId, String(error));
   *   }
   * }
   */
  async claimRetryable(
    workerId: string,
    options: ClaimRetryableOptions = {},
  ): Promise<IWebhookEventEntity[]> {
    const worker = requireWorkerId(workerId);
    requireObject(options, 'options');
    const leaseMs = requireLeaseMs(options.leaseMs);
    const maxRetries = options.maxRetries ?? CLAIM_RETRYABLE_DEFAULTS.maxRetries;
    const events = await this.adapter.claim(
      {
        filters: { processed: false, retryCount: { lt: requireInteger(maxRetries, 'maxRetries') } },
        orderBy: { field: 'createdAt', direction: 'asc' },
        limit: options.limit ?? CLAIM_RETRYABLE_DEFAULTS.limit,
        set: { lockedBy: worker },
        lease: { until: 'lockedUntil', ms: leaseMs },
      },
      this.table,
    );
    // The adapter returns claimed rows in no particular order.
    return events.sort((a, b) => compareText(a.createdAt, b.createdAt) || compareText(a.id, b.id));
  }

  /**
   * Marks the event processed now.
   *
   * With `workerId` (events from {@link claimRetryable}): only while that worker holds the event,
   * in one atomic step that also releases the lease; LeaseLostException when it does not (its
   * lease ended and another worker claimed the event, or the event was finished meanwhile). A
   * lease that ended but that no other worker claimed still counts.
   *
   * Without: whoever holds the event, its lease neither checked nor changed (events processed as
   * they arrive, with no workers). RecordNotFoundException when the event is missing.
   */
  markProcessed(id: string, workerId?: string): Promise<IWebhookEventEntity> {
    const processed = { processed: true, processedAt: new Date().toISOString() };
    if (workerId === undefined) return this.update(id, processed);
    return this.settle(id, workerId, processed);
  }

  /**
   * Records a failed attempt: sets `errorMessage` and adds one to `retryCount` atomically, so
   * concurrent failures are each counted. RecordNotFoundException when the event is missing.
   *
   * `markFailed(id, workerId, message)` (events from {@link claimRetryable}): only while that
   * worker holds the event, else LeaseLostException; the same atomic step releases the lease, so
   * the event can be claimed again at once, its failure counted. `markFailed(id, message)`:
   * whoever holds the event, its lease neither checked nor changed.
   */
  markFailed(id: string, message: string): Promise<IWebhookEventEntity>;
  markFailed(id: string, workerId: string, message: string): Promise<IWebhookEventEntity>;
  markFailed(id: string, ...rest: [string] | [string, string]): Promise<IWebhookEventEntity> {
    if (rest.length < 2) {
      // One atomic step on every provider, so concurrent failures are all counted.
      return this.increment(id, 'retryCount', 1, { errorMessage: rest[0] });
    }
    const [workerId, message] = rest;
    return this.settle(id, workerId, { errorMessage: message }, { field: 'retryCount', by: 1 });
  }

  /**
   * Unprocessed events with fewer than `maxRetries` failed attempts, oldest first: what a retry
   * job picks up. `limit` caps how many (1 to the adapter's page maximum). Default is all.
   */
  async findRetryable(maxRetries: number, limit?: number): Promise<IWebhookEventEntity[]> {
    return this.findMany({
      filters: { processed: false, retryCount: { lt: requireInteger(maxRetries, 'maxRetries') } },
      orderBy: { field: 'createdAt', direction: 'asc' },
      pagination: limit === undefined ? undefined : { page: 1, limit },
    });
  }

  /**
   * Writes `data` into the event and releases its lease, in one claim of that one row that only
   * matches while `workerId` holds it; tells a missing event from a lost lease when none matched.
   */
  private async settle(
    id: string,
    workerId: string,
    data: { processed?: boolean; processedAt?: string; errorMessage?: string },
    increment?: ClaimIncrement<IWebhookEventEntity>,
  ): Promise<IWebhookEventEntity> {
    const key = requireKey(id, 'id');
    const worker = requireWorkerId(workerId);
    const [event] = await this.adapter.claim(
      {
        filters: { id: key, lockedBy: worker, processed: false },
        limit: 1,
        set: { ...data, lockedBy: null, lockedUntil: null },
        increment,
      },
      this.table,
    );
    if (event) return event;
    if (!(await this.exists(key))) throw new RecordNotFoundException(this.table.name, key);
    throw new LeaseLostException(this.table.name, key, worker);
  }

  protected override prepareCreate(
    data: WebhookEventCreateInput,
  ): CreateInput<IWebhookEventEntity> {
    return { ...data, processed: data.processed ?? false, retryCount: data.retryCount ?? 0 };
  }
}

/** A worker id: a non-empty string of at most 255 characters. */
function requireWorkerId(workerId: unknown): string {
  const worker = requireKey(workerId, 'workerId');
  if (worker.length > MAX_WORKER_ID_LENGTH) {
    throw new ValidationException(
      `workerId must be at most ${MAX_WORKER_ID_LENGTH} characters`,
      'workerId',
    );
  }
  return worker;
}

/** A lease's length: an integer from 1 to {@link MAX_LEASE_MS}; the default when absent. */
function requireLeaseMs(leaseMs: unknown = CLAIM_RETRYABLE_DEFAULTS.leaseMs): number {
  const ms = requireInteger(leaseMs, 'leaseMs');
  if (ms < 1 || ms > MAX_LEASE_MS) {
    throw new ValidationException(`leaseMs must be from 1 to ${MAX_LEASE_MS}`, 'leaseMs');
  }
  return ms;
}

/** The lease columns of an event recorded for its receiver, its end by this process's clock. */
function leaseAtRecording(lease: RecordLeaseOptions): { lockedBy: string; lockedUntil: string } {
  requireObject(lease, 'lease');
  const lockedBy = requireWorkerId(lease.workerId);
  const lockedUntil = new Date(Date.now() + requireLeaseMs(lease.leaseMs)).toISOString();
  return { lockedBy, lockedUntil };
}

/** Orders text by code point, as every provider orders text columns. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
