import {
  LeaseLostException,
  RecordNotFoundException,
  ValidationException,
} from '../../src/exceptions';
import { WebhookRepository } from '../../src/repositories';
import { webhookEventsTable } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  caught,
  expectValidation,
  ids,
  sleep,
  sortedIds,
  sortRows,
  withProvider,
} from './conformance-setup';

const MISSING = '00000000-0000-4000-8000-000000000000';

describe.each(CONFORMANCE_PROVIDERS)('webhook inbox (claimRetryable)', (provider) => {
  withProvider(provider, (db) => {
    const webhooks = () => new WebhookRepository(db.adapter);
    // Stored in one step, they share createdAt: the order claims take them in is the ids'.
    const received = async (count: number) => {
      const scope = new Scope();
      const created = await db.adapter.createMany(
        Array.from({ length: count }, () => scope.webhookEvent()),
        webhookEventsTable,
      );
      return sortRows(created, [{ field: 'createdAt' }]);
    };

    // claimRetryable takes any pending event: each test starts from an empty inbox.
    beforeEach(async () => {
      const all = await db.adapter.findMany({ includeDeleted: true }, webhookEventsTable);
      for (const event of all) await db.adapter.hardDelete(event.id, webhookEventsTable);
    });

    it('hands pending events to one worker, oldest first, and none of them to the next', async () => {
      const [processed, exhausted, ...pending] = await received(6);
      await webhooks().markProcessed(processed.id);
      await db.adapter.update(exhausted.id, { retryCount: 5 }, webhookEventsTable);
      const claimed = await webhooks().claimRetryable('worker-a', { limit: 3 });
      expect(ids(claimed)).toEqual(ids(pending.slice(0, 3)));
      for (const event of claimed) {
        expect(event.lockedBy).toBe('worker-a');
        expect(Date.parse(event.lockedUntil!) - Date.now()).toBeGreaterThan(50_000);
      }
      const rest = await webhooks().claimRetryable('worker-b');
      expect(ids(rest)).toEqual([pending[3].id]);
      expect(await webhooks().claimRetryable('worker-c', { maxRetries: 6 })).toEqual([
        expect.objectContaining({ id: exhausted.id, lockedBy: 'worker-c' }),
      ]);
    });

    it('gives each event to exactly one of many concurrent claims', async () => {
      const events = await received(30);
      const batches = await Promise.all(
        Array.from({ length: 10 }, (_, i) => webhooks().claimRetryable(`w${i}`, { limit: 10 })),
      );
      expect(
        batches
          .flat()
          .map((e) => e.id)
          .sort(),
      ).toEqual(sortedIds(events));
    });

    it('lets only the holder mark the event, and releases the lease when it does', async () => {
      const [first, second] = await received(2);
      await webhooks().claimRetryable('worker-a');
      const lost = await caught(() => webhooks().markProcessed(first.id, 'worker-b'));
      expect(lost).toBeInstanceOf(LeaseLostException);
      expect(lost).toMatchObject({
        code: 'LEASE_LOST',
        details: { table: 'webhook_events', id: first.id, workerId: 'worker-b' },
      });
      await expect(webhooks().markFailed(second.id, 'worker-b', 'no')).rejects.toBeInstanceOf(
        LeaseLostException,
      );
      const done = await webhooks().markProcessed(first.id, 'worker-a');
      expect(done).toMatchObject({ processed: true, lockedBy: null, lockedUntil: null });
      expect(done.processedAt).toEqual(expect.any(String));
      await expect(webhooks().markProcessed(first.id, 'worker-a')).rejects.toBeInstanceOf(
        LeaseLostException,
      );
      expect(await webhooks().findById(second.id)).toMatchObject({
        lockedBy: 'worker-a',
        retryCount: 0,
      });
    });

    it('counts a failure, releases the lease, and makes the event claimable again at once', async () => {
      const [event] = await received(1);
      await webhooks().claimRetryable('worker-a');
      const failed = await webhooks().markFailed(event.id, 'worker-a', 'card declined');
      expect(failed).toMatchObject({
        retryCount: 1,
        errorMessage: 'card declined',
        processed: false,
        lockedBy: null,
        lockedUntil: null,
      });
      await expect(webhooks().markFailed(event.id, 'worker-a', 'again')).rejects.toBeInstanceOf(
        LeaseLostException,
      );
      expect(ids(await webhooks().claimRetryable('worker-b'))).toEqual([event.id]);
      expect(await webhooks().claimRetryable('worker-c', { maxRetries: 1 })).toEqual([]);
    });

    it('re-claims an event whose lease ended; the former holder then loses it', async () => {
      const [taken, kept] = await received(2);
      await webhooks().claimRetryable('worker-a', { leaseMs: 300 });
      await sleep(500);
      const reclaimed = await webhooks().claimRetryable('worker-b', { limit: 1 });
      expect(ids(reclaimed)).toEqual([taken.id]);
      await expect(webhooks().markProcessed(taken.id, 'worker-a')).rejects.toBeInstanceOf(
        LeaseLostException,
      );
      expect((await webhooks().markProcessed(taken.id, 'worker-b')).processed).toBe(true);
      // Ended, but nobody claimed it since: the former holder's work still counts.
      expect((await webhooks().markProcessed(kept.id, 'worker-a')).processed).toBe(true);
    });

    it('keeps the one-argument marks, which neither check nor change a lease', async () => {
      const [event] = await received(1);
      await webhooks().claimRetryable('worker-a');
      const failed = await webhooks().markFailed(event.id, 'timeout');
      expect(failed).toMatchObject({
        retryCount: 1,
        errorMessage: 'timeout',
        lockedBy: 'worker-a',
      });
      expect((await webhooks().markProcessed(event.id)).lockedBy).toBe('worker-a');
      await expect(webhooks().markProcessed(event.id, 'worker-a')).rejects.toBeInstanceOf(
        LeaseLostException,
      );
    });

    it('records a new event leased to its receiver; no claim takes it until the lease ends', async () => {
      const { stripeEventId, eventType, payload } = new Scope().webhookEvent();
      const received = { stripeEventId, eventType, payload };
      const leased = { workerId: 'api-1', leaseMs: 400 };
      const { event, created } = await webhooks().recordIfNew(received, leased);
      expect(created).toBe(true);
      expect(event).toMatchObject({ processed: false, retryCount: 0, lockedBy: 'api-1' });
      const left = Date.parse(event.lockedUntil!) - Date.now();
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(400);
      expect(await webhooks().claimRetryable('worker-a')).toEqual([]);
      // A redelivery changes nothing: the lease stays with the first receiver, as it was.
      const again = await webhooks().recordIfNew(received, { workerId: 'api-2' });
      expect(again.created).toBe(false);
      expect(again.event).toMatchObject({
        id: event.id,
        lockedBy: 'api-1',
        lockedUntil: event.lockedUntil,
      });
      // The receiver died before it finished: once the lease ends, a worker takes the event.
      await sleep(600);
      expect(ids(await webhooks().claimRetryable('worker-a'))).toEqual([event.id]);
      await expect(webhooks().markProcessed(event.id, 'api-1')).rejects.toBeInstanceOf(
        LeaseLostException,
      );
    });

    it('lets the receiver that leased the event at its recording mark it, as a claim would', async () => {
      const scope = new Scope();
      const [first, second] = [scope.webhookEvent(), scope.webhookEvent()];
      const { event: done } = await webhooks().recordIfNew(first, { workerId: 'api-1' });
      expect(Date.parse(done.lockedUntil!) - Date.now()).toBeGreaterThan(50_000);
      expect(await webhooks().markProcessed(done.id, 'api-1')).toMatchObject({
        processed: true,
        lockedBy: null,
        lockedUntil: null,
      });
      const { event: failing } = await webhooks().recordIfNew(second, { workerId: 'api-1' });
      await expect(webhooks().markProcessed(failing.id, 'worker-a')).rejects.toBeInstanceOf(
        LeaseLostException,
      );
      await webhooks().markFailed(failing.id, 'api-1', 'no user yet');
      expect(ids(await webhooks().claimRetryable('worker-a'))).toEqual([failing.id]);
      // Without a worker id nothing is leased: any claim takes the event at once.
      const { event: free } = await webhooks().recordIfNew(scope.webhookEvent());
      expect(free).toMatchObject({ lockedBy: null, lockedUntil: null });
      expect(ids(await webhooks().claimRetryable('worker-b'))).toEqual([free.id]);
    });

    it('refuses a lease at recording without a worker id, or with a bad one, storing nothing', async () => {
      const received = new Scope().webhookEvent();
      await expectValidation(() => webhooks().recordIfNew(received, { workerId: '' }), 'workerId');
      await expectValidation(
        () => webhooks().recordIfNew(received, { leaseMs: 1000 } as never),
        'workerId',
      );
      await expectValidation(
        () => webhooks().recordIfNew(received, { workerId: 'w', leaseMs: 0 }),
        'leaseMs',
      );
      await expectValidation(
        () => webhooks().recordIfNew(received, { workerId: 'w', leaseMs: 2 ** 31 }),
        'leaseMs',
      );
      await expectValidation(() => webhooks().recordIfNew(received, null as never), 'lease');
      expect(await webhooks().findByStripeEventId(received.stripeEventId)).toBeNull();
    });

    it('refuses a missing event and bad arguments with typed exceptions', async () => {
      await expect(webhooks().markProcessed(MISSING, 'worker-a')).rejects.toBeInstanceOf(
        RecordNotFoundException,
      );
      await expect(webhooks().markFailed(MISSING, 'worker-a', 'x')).rejects.toBeInstanceOf(
        RecordNotFoundException,
      );
      await expectValidation(() => webhooks().claimRetryable(''), 'workerId');
      await expectValidation(() => webhooks().claimRetryable('w'.repeat(256)), 'workerId');
      await expectValidation(() => webhooks().claimRetryable('w', { leaseMs: 0 }), 'leaseMs');
      await expectValidation(() => webhooks().claimRetryable('w', { leaseMs: 1.5 }), 'leaseMs');
      await expectValidation(() => webhooks().claimRetryable('w', { limit: 0 }), 'limit');
      await expectValidation(
        () => webhooks().claimRetryable('w', { maxRetries: '5' as never }),
        'maxRetries',
      );
      await expectValidation(() => webhooks().markProcessed('not-a-uuid', 'w'), 'id');
      await expectValidation(() => webhooks().markProcessed(MISSING, ''), 'workerId');
      const error = await caught(() => webhooks().claimRetryable('w', null as never));
      expect(error).toBeInstanceOf(ValidationException);
    });
  });
});
