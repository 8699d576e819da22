import { RecordNotFoundException } from '../../src/exceptions';
import { WebhookRepository } from '../../src/repositories';
import { webhookEventsTable } from '../../src/schema';
import { CONFORMANCE_PROVIDERS, Scope, expectValidation, withProvider } from './conformance-setup';

describe.each(CONFORMANCE_PROVIDERS)('increment', (provider) => {
  withProvider(provider, (db) => {
    it('adds to an integer property and applies the other values in one step', async () => {
      const scope = new Scope();
      const event = await db.adapter.create(scope.webhookEvent(), webhookEventsTable);
      const after = await db.adapter.increment(event.id, 'retryCount', 2, webhookEventsTable, {
        errorMessage: 'timeout',
      });
      expect(after).toMatchObject({ id: event.id, retryCount: 2, errorMessage: 'timeout' });
      expect(after.updatedAt >= event.updatedAt).toBe(true);
      expect(await db.adapter.findById(event.id, webhookEventsTable)).toEqual(after);
    });

    it('counts every one of many concurrent increments (markFailed)', async () => {
      const scope = new Scope();
      const webhooks = new WebhookRepository(db.adapter);
      const { event } = await webhooks.recordIfNew(scope.webhookEvent());
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => webhooks.markFailed(event.id, `failure ${i}`)),
      );
      const stored = await webhooks.findById(event.id);
      expect(stored?.retryCount).toBe(20);
      expect(stored?.errorMessage).toMatch(/^failure \d+$/);
    });

    it('refuses an increment that would take the counter outside its range, changing nothing', async () => {
      const scope = new Scope();
      const event = await db.adapter.create(
        scope.webhookEvent({ retryCount: 2_147_483_600 }),
        webhookEventsTable,
      );
      await expectValidation(
        () =>
          db.adapter.increment(event.id, 'retryCount', 100, webhookEventsTable, {
            errorMessage: 'too far',
          }),
        'retryCount',
      );
      // A step the column could not hold is refused as such.
      await expectValidation(
        () => db.adapter.increment(event.id, 'retryCount', -2_147_483_647 * 2, webhookEventsTable),
        'by',
      );
      expect(await db.adapter.findById(event.id, webhookEventsTable)).toEqual(event);
      const top = await db.adapter.increment(event.id, 'retryCount', 47, webhookEventsTable);
      expect(top.retryCount).toBe(2_147_483_647);
    });

    it('refuses missing or soft-deleted rows and non-integer properties', async () => {
      const scope = new Scope();
      const event = await db.adapter.create(scope.webhookEvent(), webhookEventsTable);
      await expectValidation(
        () => db.adapter.increment(event.id, 'eventType', 1, webhookEventsTable),
        'eventType',
      );
      await expectValidation(
        () => db.adapter.increment(event.id, 'retryCount', 0.5, webhookEventsTable),
        'by',
      );
      await db.adapter.softDelete(event.id, webhookEventsTable);
      await expect(
        db.adapter.increment(event.id, 'retryCount', 1, webhookEventsTable),
      ).rejects.toBeInstanceOf(RecordNotFoundException);
    });
  });
});
