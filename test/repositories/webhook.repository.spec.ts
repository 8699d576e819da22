import { WebhookEventEntity } from '../../src/entities/webhook-event.entity';
import { RecordNotFoundException } from '../../src/exceptions';
import { WebhookRepository } from '../../src/repositories/webhook.repository';
import {
  nextMillisecond,
  openSqliteTestDatabase,
  type SqliteTestDatabase,
} from './support/sqlite-test-database';

function stripeEvent(id: string, type = 'payment_intent.succeeded') {
  return { stripeEventId: id, eventType: type, payload: { id, type, data: { object: {} } } };
}

describe('WebhookRepository on SQLite', () => {
  let db: SqliteTestDatabase;
  let webhooks: WebhookRepository;

  beforeEach(async () => {
    db = await openSqliteTestDatabase();
    webhooks = new WebhookRepository(db.adapter);
  });

  afterEach(async () => {
    await db.close();
  });

  it('recordIfNew stores a new event unprocessed with no retries', async () => {
    const { event, created } = await webhooks.recordIfNew(stripeEvent('evt_1'));

    expect(created).toBe(true);
    expect(event).toBeInstanceOf(WebhookEventEntity);
    expect(event).toMatchObject({ stripeEventId: 'evt_1', processed: false, retryCount: 0 });
    expect(event.payload).toEqual(stripeEvent('evt_1').payload);
  });

  it('recordIfNew rejects an empty event id and a non-object payload together', async () => {
    await expect(
      webhooks.recordIfNew({
        stripeEventId: '',
        eventType: 'x',
        payload: 'text' as unknown as Record<string, unknown>,
      }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      violations: [
        expect.objectContaining({ field: 'stripeEventId' }),
        expect.objectContaining({ field: 'payload' }),
      ],
    });
    expect(await webhooks.count()).toBe(0);
  });

  it('recordIfNew returns the stored event with created false on a redelivery', async () => {
    const first = await webhooks.recordIfNew(stripeEvent('evt_2'));
    await webhooks.markProcessed(first.event.id);

    const again = await webhooks.recordIfNew(stripeEvent('evt_2', 'changed.type'));

    expect(again.created).toBe(false);
    expect(again.event).toMatchObject({
      id: first.event.id,
      eventType: 'payment_intent.succeeded',
      processed: true,
    });
  });

  it('recordIfNew is idempotent when the same event arrives 20 times at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => webhooks.recordIfNew(stripeEvent('evt_race'))),
    );

    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.event.id)).size).toBe(1);
    expect(await webhooks.count({ stripeEventId: 'evt_race' }, { includeDeleted: true })).toBe(1);
  });

  it('markProcessed sets processed and processedAt', async () => {
    const { event } = await webhooks.recordIfNew(stripeEvent('evt_3'));

    const processed = await webhooks.markProcessed(event.id);

    expect(processed.processed).toBe(true);
    expect(processed.processedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('markFailed records the message and adds one to retryCount each time', async () => {
    const { event } = await webhooks.recordIfNew(stripeEvent('evt_4'));

    await webhooks.markFailed(event.id, 'first failure');
    const failed = await webhooks.markFailed(event.id, 'second failure');

    expect(failed).toMatchObject({
      retryCount: 2,
      errorMessage: 'second failure',
      processed: false,
    });
    expect((await webhooks.findById(event.id))?.retryCount).toBe(2);
  });

  it('markFailed counts every one of several concurrent failures', async () => {
    const { event } = await webhooks.recordIfNew(stripeEvent('evt_5'));

    await Promise.all(Array.from({ length: 5 }, (_, i) => webhooks.markFailed(event.id, `f${i}`)));

    expect((await webhooks.findById(event.id))?.retryCount).toBe(5);
  });

  it('markFailed and markProcessed throw RecordNotFoundException for an unknown id', async () => {
    const missing = '6f1c1e0e-4a57-4b8e-9a7e-2f1d9f0b1c2d';
    await expect(webhooks.markFailed(missing, 'x')).rejects.toBeInstanceOf(RecordNotFoundException);
    await expect(webhooks.markProcessed(missing)).rejects.toBeInstanceOf(RecordNotFoundException);
  });

  it('findRetryable returns unprocessed events under the retry limit, oldest first', async () => {
    const ids: Record<string, string> = {};
    for (const name of ['old', 'processed', 'exhausted', 'mid', 'new']) {
      ids[name] = (await webhooks.recordIfNew(stripeEvent(`evt_${name}`))).event.id;
      await nextMillisecond();
    }
    await webhooks.markProcessed(ids.processed);
    for (let i = 0; i < 3; i += 1) await webhooks.markFailed(ids.exhausted, 'boom');
    await webhooks.markFailed(ids.mid, 'boom');

    const retryable = await webhooks.findRetryable(3);

    expect(retryable.map((e) => e.id)).toEqual([ids.old, ids.mid, ids.new]);
    expect((await webhooks.findRetryable(3, 2)).map((e) => e.id)).toEqual([ids.old, ids.mid]);
    expect((await webhooks.findRetryable(1)).map((e) => e.id)).toEqual([ids.old, ids.new]);
  });
});
