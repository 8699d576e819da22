/**
 * The requests of `claim` on Supabase, and of the webhook inbox built on it: a GET of the
 * candidates, then a compare-and-swap PATCH per candidate (PostgREST resource_representation.rst:
 * a PATCH that matches no row answers 200 with `[]`, which is how a lost race shows).
 */
import { LeaseLostException, ValidationException } from '../../src/exceptions';
import { WebhookRepository } from '../../src/repositories';
import {
  fakeAdapter,
  NOTE_ID,
  noteRow,
  notesTable,
  ok,
  pgError,
  rejection,
  type RecordedRequest,
} from './support/fake-postgrest';

const NOW = Date.parse('2024-06-01T10:00:00.000Z');
const OTHER_ID = '5e0c1d2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f';
const EVENT_ID = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';

/** Answers each PATCH from `byId` (the id filter of the request), in whatever order they come. */
function patchAnswers(byId: Record<string, unknown[]>) {
  return (request: RecordedRequest) => {
    const id = request.params.find(([name]) => name === 'id')![1].slice('eq.'.length);
    return ok(byId[id]);
  };
}

/** A webhook_events row as PostgREST prints it. */
function eventRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: EVENT_ID,
    stripe_event_id: 'evt_1',
    event_type: 'invoice.paid',
    processed: false,
    processed_at: null,
    payload: {},
    error_message: null,
    retry_count: 0,
    locked_by: null,
    locked_until: null,
    created_at: '2024-06-01T09:00:00+00:00',
    updated_at: '2024-06-01T09:00:00+00:00',
    deleted_at: null,
    ...overrides,
  };
}

beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
afterEach(() => jest.restoreAllMocks());

describe('SupabaseAdapter claim', () => {
  it('GETs the free candidates by the client clock, then PATCHes each only while its lease is as read', async () => {
    const { adapter, fake } = fakeAdapter();
    const ended = '2024-06-01T09:59:59.5+00:00';
    const patched = patchAnswers({
      [NOTE_ID]: [noteRow({ title: 'Taken', remind_at: '2024-06-01T10:00:30+00:00' })],
      // Another writer changed the row after the GET: PostgREST answers the PATCH with [].
      [OTHER_ID]: [],
    });
    fake.reply(
      ok([noteRow({ remind_at: null }), noteRow({ id: OTHER_ID, remind_at: ended })]),
      patched,
      patched,
    );
    const claimed = await adapter.claim(
      {
        filters: { pinned: true },
        limit: 2,
        set: { title: 'Taken' },
        lease: { until: 'remindAt', ms: 30_000 },
      },
      notesTable,
    );
    expect(claimed.map((n) => [n.id, n.title, n.remindAt])).toEqual([
      [NOTE_ID, 'Taken', '2024-06-01T10:00:30.000Z'],
    ]);
    const [get, ...patches] = fake.requests;
    expect(get.method).toBe('GET');
    expect(get.params).toEqual([
      ['select', '*'],
      ['deleted_at', 'is.null'],
      ['pinned', 'eq.true'],
      ['order', 'created_at.asc.nullslast,id.asc.nullslast'],
      ['limit', '2'],
      ['or', '(remind_at.is.null,remind_at.lte."2024-06-01T10:00:00.000Z")'],
    ]);
    const byId = (id: string) =>
      patches.find((p) => p.params.some(([n, v]) => n === 'id' && v === `eq.${id}`))!;
    expect(patches.map((p) => p.method)).toEqual(['PATCH', 'PATCH']);
    expect(byId(NOTE_ID).params).toEqual([
      ['id', `eq.${NOTE_ID}`],
      ['deleted_at', 'is.null'],
      ['pinned', 'eq.true'],
      ['remind_at', 'is.null'],
      ['select', '*'],
    ]);
    expect(byId(OTHER_ID).params).toContainEqual(['remind_at', `eq.${ended}`]);
    expect(byId(NOTE_ID).headers.prefer).toBe('return=representation');
    expect(byId(NOTE_ID).body).toEqual({
      title: 'Taken',
      updated_at: '2024-06-01T10:00:00.000Z',
      remind_at: '2024-06-01T10:00:30.000Z',
    });
    fake.verify();
  });

  it('swaps a counter on the value read, and does not pick a row that could not take the step', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([noteRow({ stars: 3 })]), ok([noteRow({ stars: 4 })]));
    const [note] = await adapter.claim(
      { limit: 1, increment: { field: 'stars', by: 1 } },
      notesTable,
    );
    expect(note.stars).toBe(4);
    const [get, patch] = fake.requests;
    expect(get.params).toEqual(
      expect.arrayContaining([
        ['stars', 'gte.-2147483648'],
        ['stars', 'lte.2147483646'],
      ]),
    );
    expect(patch.params).toContainEqual(['stars', 'eq.3']);
    expect(patch.body).toMatchObject({ stars: 4 });
    fake.verify();
  });

  it('sends one GET when nothing is free, and nothing for a filter that matches nothing or bad options', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    expect(await adapter.claim({ limit: 5, set: { title: 'x' } }, notesTable)).toEqual([]);
    expect(fake.only().method).toBe('GET');
    expect(await adapter.claim({ filters: { id: [] }, limit: 5 }, notesTable)).toEqual([]);
    const error = await rejection(adapter.claim({ limit: 0 }, notesTable));
    expect(error).toMatchObject({ field: 'limit' });
    expect(error).toBeInstanceOf(ValidationException);
    fake.verify();
  });
});

describe('WebhookRepository inbox on Supabase', () => {
  it('claimRetryable: the pending events free by the client clock, each taken by a CAS PATCH', async () => {
    const { adapter, fake } = fakeAdapter();
    const until = '2024-06-01T10:01:00.000Z';
    fake.reply(
      ok([eventRow()]),
      ok([eventRow({ locked_by: 'worker-a', locked_until: '2024-06-01T10:01:00+00:00' })]),
    );
    const events = await new WebhookRepository(adapter).claimRetryable('worker-a');
    expect(events).toEqual([
      expect.objectContaining({ id: EVENT_ID, lockedBy: 'worker-a', lockedUntil: until }),
    ]);
    const [get, patch] = fake.requests;
    expect(get.path).toBe('/rest/v1/webhook_events');
    expect(get.params).toEqual([
      ['select', '*'],
      ['deleted_at', 'is.null'],
      ['processed', 'eq.false'],
      ['retry_count', 'lt.5'],
      ['order', 'created_at.asc.nullslast,id.asc.nullslast'],
      ['limit', '10'],
      ['or', '(locked_until.is.null,locked_until.lte."2024-06-01T10:00:00.000Z")'],
    ]);
    expect(patch.params).toEqual(
      expect.arrayContaining([
        ['id', `eq.${EVENT_ID}`],
        ['processed', 'eq.false'],
        ['retry_count', 'lt.5'],
        ['locked_until', 'is.null'],
      ]),
    );
    expect(patch.body).toMatchObject({ locked_by: 'worker-a', locked_until: until });
    fake.verify();
  });

  it('markFailed by the holder: one PATCH on its lease that counts the retry and releases it', async () => {
    const { adapter, fake } = fakeAdapter();
    const held = { locked_by: 'worker-a', locked_until: '2024-06-01T10:01:00+00:00' };
    fake.reply(
      ok([eventRow({ ...held, retry_count: 2 })]),
      ok([eventRow({ retry_count: 3, error_message: 'declined' })]),
    );
    const failed = await new WebhookRepository(adapter).markFailed(
      EVENT_ID,
      'worker-a',
      'declined',
    );
    expect(failed).toMatchObject({ retryCount: 3, lockedBy: null, errorMessage: 'declined' });
    const [get, patch] = fake.requests;
    expect(get.params).toEqual(
      expect.arrayContaining([
        ['id', `eq.${EVENT_ID}`],
        ['locked_by', 'eq.worker-a'],
        ['processed', 'eq.false'],
        ['limit', '1'],
      ]),
    );
    expect(patch.params).toEqual(
      expect.arrayContaining([
        ['locked_by', 'eq.worker-a'],
        ['retry_count', 'eq.2'],
      ]),
    );
    expect(patch.body).toMatchObject({
      retry_count: 3,
      error_message: 'declined',
      locked_by: null,
      locked_until: null,
    });
    fake.verify();
  });

  it('recordIfNew with a lease: one POST that stores the event leased by the client clock', async () => {
    const { adapter, fake } = fakeAdapter();
    const until = '2024-06-01T10:00:30.000Z';
    fake.reply(
      ok(eventRow({ locked_by: 'api-1', locked_until: '2024-06-01T10:00:30+00:00' }), 201),
    );
    const { event, created } = await new WebhookRepository(adapter).recordIfNew(
      { stripeEventId: 'evt_1', eventType: 'invoice.paid', payload: {} },
      { workerId: 'api-1', leaseMs: 30_000 },
    );
    expect(created).toBe(true);
    expect(event).toMatchObject({ lockedBy: 'api-1', lockedUntil: until });
    const post = fake.only();
    expect([post.method, post.path, post.params]).toEqual([
      'POST',
      '/rest/v1/webhook_events',
      [['select', '*']],
    ]);
    expect(post.body).toMatchObject({
      stripe_event_id: 'evt_1',
      processed: false,
      retry_count: 0,
      locked_by: 'api-1',
      locked_until: until,
    });
  });

  it('recordIfNew with a lease, redelivered: the 409, then a GET of the stored event, nothing changed', async () => {
    const { adapter, fake } = fakeAdapter();
    const held = { locked_by: 'api-1', locked_until: '2024-06-01T10:00:30+00:00' };
    fake.reply(
      pgError(
        409,
        '23505',
        'duplicate key value violates unique constraint "webhook_events_stripe_event_id_key"',
        'Key (stripe_event_id)=(evt_1) already exists.',
      ),
      ok([eventRow(held)]),
    );
    const { event, created } = await new WebhookRepository(adapter).recordIfNew(
      { stripeEventId: 'evt_1', eventType: 'invoice.paid', payload: {} },
      { workerId: 'api-2' },
    );
    expect(created).toBe(false);
    expect(event.lockedBy).toBe('api-1');
    expect(fake.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(fake.requests[0].body).toMatchObject({
      locked_by: 'api-2',
      locked_until: '2024-06-01T10:01:00.000Z',
    });
    fake.verify();
  });

  it('markProcessed by a worker that lost the race: the PATCH answers [], then LeaseLostException', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(
      ok([eventRow({ locked_by: 'worker-a', locked_until: '2024-06-01T10:01:00+00:00' })]),
      ok([]),
      ok([{ id: EVENT_ID }]),
    );
    const error = await rejection(
      new WebhookRepository(adapter).markProcessed(EVENT_ID, 'worker-a'),
    );
    expect(error).toBeInstanceOf(LeaseLostException);
    expect(fake.requests.map((r) => r.method)).toEqual(['GET', 'PATCH', 'GET']);
    fake.verify();
  });
});
