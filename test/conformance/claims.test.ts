import type { IWebhookEventEntity } from '../../src/entities/webhook-event.entity';
import type { ClaimOptions } from '../../src/adapters/database-adapter.interface';
import { webhookEventsTable } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  ISO_UTC_MILLIS,
  Scope,
  expectValidation,
  sleep,
  sortedIds,
  sortRows,
  ids,
  withProvider,
} from './conformance-setup';

/** A claim of the scope's events by `worker`, with a lease of `ms`. */
function leased(
  scope: Scope,
  worker: string,
  ms: number,
  limit = 100,
): ClaimOptions<IWebhookEventEntity> {
  return {
    filters: { eventType: scope.eventType(), processed: false },
    limit,
    set: { lockedBy: worker },
    lease: { until: 'lockedUntil', ms },
  };
}

describe.each(CONFORMANCE_PROVIDERS)('claim', (provider) => {
  withProvider(provider, (db) => {
    const events = (scope: Scope, count: number) =>
      db.adapter.createMany(
        Array.from({ length: count }, () => scope.webhookEvent()),
        webhookEventsTable,
      );

    it('picks up to `limit` matching live rows in order and writes the set values and the lease', async () => {
      const scope = new Scope();
      const created = await events(scope, 5);
      const before = Date.now();
      const claimed = await db.adapter.claim(leased(scope, 'w1', 60_000, 3), webhookEventsTable);
      const order = sortRows(created, [{ field: 'createdAt' }]);
      expect(sortedIds(claimed)).toEqual(ids(order.slice(0, 3)).sort());
      for (const row of claimed) {
        expect(row.lockedBy).toBe('w1');
        expect(row.lockedUntil).toMatch(ISO_UTC_MILLIS);
        // The database's clock on SQL engines: the same machine here, so within a few seconds.
        const ends = Date.parse(row.lockedUntil!) - before;
        expect(ends).toBeGreaterThan(55_000);
        expect(ends).toBeLessThan(65_000);
        expect(row.updatedAt >= row.createdAt).toBe(true);
        expect(await db.adapter.findById(row.id, webhookEventsTable)).toEqual(row);
      }
    });

    it('passes over rows under a lease, and picks them again once it has ended', async () => {
      const scope = new Scope();
      await events(scope, 4);
      const first = await db.adapter.claim(leased(scope, 'w1', 400, 2), webhookEventsTable);
      const second = await db.adapter.claim(leased(scope, 'w2', 60_000), webhookEventsTable);
      expect(first).toHaveLength(2);
      expect(second).toHaveLength(2);
      expect(ids(second).some((id) => ids(first).includes(id))).toBe(false);
      expect(await db.adapter.claim(leased(scope, 'w3', 60_000), webhookEventsTable)).toEqual([]);
      await sleep(600);
      const again = await db.adapter.claim(leased(scope, 'w3', 60_000), webhookEventsTable);
      expect(sortedIds(again)).toEqual(sortedIds(first));
      expect(again.every((row) => row.lockedBy === 'w3')).toBe(true);
    });

    it('never picks soft-deleted rows or rows outside the filters, and sends nothing for an empty IN', async () => {
      const scope = new Scope();
      const [kept, deleted, done] = await events(scope, 3);
      await db.adapter.softDelete(deleted.id, webhookEventsTable);
      await db.adapter.update(done.id, { processed: true }, webhookEventsTable);
      const claimed = await db.adapter.claim(leased(scope, 'w1', 60_000), webhookEventsTable);
      expect(ids(claimed)).toEqual([kept.id]);
      const none = await db.adapter.claim(
        { filters: { id: [] }, limit: 5, set: { lockedBy: 'w1' } },
        webhookEventsTable,
      );
      expect(none).toEqual([]);
    });

    it('claims without a lease every matching row, and adds to a counter in the same step', async () => {
      const scope = new Scope();
      const [event, full] = await db.adapter.createMany(
        [scope.webhookEvent({ retryCount: 1 }), scope.webhookEvent({ retryCount: 2_147_483_647 })],
        webhookEventsTable,
      );
      const bump = (): Promise<IWebhookEventEntity[]> =>
        db.adapter.claim(
          {
            filters: { eventType: scope.eventType() },
            limit: 10,
            set: { errorMessage: 'again' },
            increment: { field: 'retryCount', by: 1 },
          },
          webhookEventsTable,
        );
      // The full counter cannot take the step: its row is not picked.
      expect(await bump()).toEqual([expect.objectContaining({ id: event.id, retryCount: 2 })]);
      expect(await bump()).toEqual([
        expect.objectContaining({ id: event.id, retryCount: 3, errorMessage: 'again' }),
      ]);
      expect((await db.adapter.findById(full.id, webhookEventsTable))?.retryCount).toBe(
        2_147_483_647,
      );
    });

    it('hands every row to exactly one of many concurrent claimers', async () => {
      const scope = new Scope();
      const created = await events(scope, 40);
      const claimer = async (worker: string): Promise<string[]> => {
        const mine: string[] = [];
        for (;;) {
          const batch = await db.adapter.claim(
            leased(scope, worker, 60_000, 3),
            webhookEventsTable,
          );
          if (batch.length === 0) return mine;
          mine.push(...ids(batch));
        }
      };
      const claimed = (
        await Promise.all(Array.from({ length: 8 }, (_, i) => claimer(`w${i}`)))
      ).flat();
      expect(claimed.sort()).toEqual(sortedIds(created));
    });

    it('refuses bad options naming them, before anything is sent', async () => {
      const scope = new Scope();
      const [event] = await events(scope, 1);
      const claim = (options: Partial<ClaimOptions<IWebhookEventEntity>>) => () =>
        db.adapter.claim({ ...leased(scope, 'w1', 1_000), ...options }, webhookEventsTable);
      await expectValidation(claim({ limit: 0 }), 'limit');
      await expectValidation(claim({ limit: 101 }), 'limit');
      await expectValidation(claim({ lease: { until: 'eventType', ms: 1_000 } }), 'lease.until');
      await expectValidation(claim({ lease: { until: 'createdAt', ms: 1_000 } }), 'lease.until');
      await expectValidation(claim({ lease: { until: 'lockedUntil', ms: 0 } }), 'lease.ms');
      await expectValidation(claim({ set: { lockedUntil: null } }), 'lockedUntil');
      await expectValidation(claim({ set: { bogus: 1 } as never }), 'bogus');
      await expectValidation(claim({ filters: { bogus: 1 } }), 'bogus');
      await expectValidation(claim({ increment: { field: 'eventType', by: 1 } }), 'eventType');
      expect(await db.adapter.findById(event.id, webhookEventsTable)).toEqual(event);
    });
  });
});
