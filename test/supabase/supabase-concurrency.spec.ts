/**
 * Concurrency control over PostgREST, at the fetch boundary: the exact PATCH requests of an update
 * at an expected version and of an ordered upsert, and how the adapter reads PostgREST's answers.
 * A PATCH whose filters match no row answers 200 with `[]` (PostgREST docs,
 * references/api/tables_views.rst: a mutation with `Prefer: return=representation` returns the
 * changed rows), which is not an error: a read then tells a lost race from a missing row.
 */
import { SubscriptionStatus } from '../../src/entities/subscription.entity';
import {
  OptimisticLockException,
  RecordNotFoundException,
  ValidationException,
} from '../../src/exceptions';
import { subscriptionsTable } from '../../src/schema';
import { defineTable, type IVersionedEntity } from '../../src/schema/table-definition';
import {
  fakeAdapter,
  NOTE_ID,
  notesTable,
  ok,
  OWNER_ID,
  pgError,
  rejection,
  type RecordedRequest,
} from './support/fake-postgrest';

interface IDoc extends IVersionedEntity {
  title: string;
  stars: number;
}

/** A versioned soft-delete table. */
const docsTable = defineTable<IDoc>({
  name: 'docs',
  versioned: true,
  columns: { title: { type: 'string' }, stars: { type: 'integer' } },
});

/** A docs row as PostgREST prints it. */
function docRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: NOTE_ID,
    title: 'Doc',
    stars: 1,
    created_at: '2024-01-01T00:00:00+00:00',
    updated_at: '2024-01-01T00:00:00+00:00',
    deleted_at: null,
    version: 2,
    ...overrides,
  };
}

const SUBSCRIPTION_ID = '3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b';

/** A subscriptions row as PostgREST prints it. */
function subscriptionRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: SUBSCRIPTION_ID,
    stripe_subscription_id: 'sub_1',
    user_id: OWNER_ID,
    stripe_customer_id: null,
    product_id: 'prod_1',
    price_id: 'price_1',
    status: 'active',
    current_period_start: '2024-05-01T12:00:00+00:00',
    current_period_end: '2024-06-01T12:00:00+00:00',
    trial_start: null,
    trial_end: null,
    cancel_at_period_end: false,
    canceled_at: null,
    quantity: 1,
    metadata: {},
    last_event_at: '2024-05-01T12:00:00+00:00',
    created_at: '2024-05-01T12:00:00+00:00',
    updated_at: '2024-05-01T12:00:00+00:00',
    deleted_at: null,
    ...overrides,
  };
}

/** A subscription input whose event is at `lastEventAt`. */
function subscriptionInput(lastEventAt: string, status = SubscriptionStatus.Canceled) {
  return {
    stripeSubscriptionId: 'sub_1',
    userId: OWNER_ID,
    productId: 'prod_1',
    priceId: 'price_1',
    status,
    currentPeriodStart: '2024-05-01T12:00:00.000Z',
    currentPeriodEnd: '2024-06-01T12:00:00.000Z',
    cancelAtPeriodEnd: false,
    quantity: 1,
    metadata: {},
    lastEventAt,
  };
}

const ORDERED = {
  conflictField: 'stripeSubscriptionId',
  onConflict: 'update',
  orderedBy: 'lastEventAt',
} as const;

const TAKEN = pgError(
  409,
  '23505',
  'duplicate key value violates unique constraint "subscriptions_stripe_subscription_id_key"',
  'Key (stripe_subscription_id)=(sub_1) already exists.',
);

/** `METHOD params` of each request, for comparing whole exchanges. */
function exchange(requests: readonly RecordedRequest[]): [string, [string, string][]][] {
  return requests.map((r) => [r.method, r.params]);
}

const VERSION_READ: [string, string][] = [
  ['select', 'version'],
  ['id', `eq.${NOTE_ID}`],
  ['deleted_at', 'is.null'],
];

describe('SupabaseAdapter optimistic locking', () => {
  it('update at an expected version: one PATCH filtered on it, setting the next version', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([docRow({ title: 'New', version: 3 })]));
    const doc = await adapter.update(NOTE_ID, { title: 'New' }, docsTable, { expectedVersion: 2 });
    expect(doc).toMatchObject({ title: 'New', version: 3 });
    const patch = fake.only();
    expect(patch.method).toBe('PATCH');
    expect(patch.path).toBe('/rest/v1/docs');
    expect(patch.params).toEqual([
      ['id', `eq.${NOTE_ID}`],
      ['version', 'eq.2'],
      ['deleted_at', 'is.null'],
      ['select', '*'],
    ]);
    expect(patch.headers.prefer).toBe('return=representation');
    expect(patch.body).toEqual({ title: 'New', updated_at: expect.any(String), version: 3 });
    fake.verify();
  });

  it('a PATCH answered [] then a read of another version: OptimisticLockException with it', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]), ok([{ version: 5 }]));
    const error = await rejection(
      adapter.update(NOTE_ID, { title: 'New' }, docsTable, { expectedVersion: 2 }),
    );
    expect(error).toBeInstanceOf(OptimisticLockException);
    expect(error).toMatchObject({ expectedVersion: 2, currentVersion: 5, id: NOTE_ID });
    expect(exchange(fake.requests)[1]).toEqual(['GET', VERSION_READ]);
    fake.verify();
  });

  it('a PATCH answered [] then a read of no live row: RecordNotFoundException', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]), ok([]));
    const error = await rejection(
      adapter.update(NOTE_ID, { title: 'New' }, docsTable, { expectedVersion: 2 }),
    );
    expect(error).toBeInstanceOf(RecordNotFoundException);
    fake.verify();
  });

  it('a miss read back at the expected version (changed back meanwhile) sends the PATCH again', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]), ok([{ version: 2 }]), ok([docRow({ version: 3 })]));
    const doc = await adapter.update(NOTE_ID, { title: 'New' }, docsTable, { expectedVersion: 2 });
    expect(doc.version).toBe(3);
    expect(fake.requests.map((r) => r.method)).toEqual(['PATCH', 'GET', 'PATCH']);
    fake.verify();
  });

  it('update without expectedVersion: read the version, PATCH on it, again while others win', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([{ version: 4 }]), ok([]), ok([{ version: 6 }]), ok([docRow({ version: 7 })]));
    const doc = await adapter.update(NOTE_ID, { stars: 2 }, docsTable);
    expect(doc.version).toBe(7);
    const patches = fake.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((p) => p.params.find(([name]) => name === 'version'))).toEqual([
      ['version', 'eq.4'],
      ['version', 'eq.6'],
    ]);
    expect(patches.map((p) => (p.body as Record<string, unknown>).version)).toEqual([5, 7]);
    expect(exchange(fake.requests)[0]).toEqual(['GET', VERSION_READ]);
    fake.verify();
  });

  it('create sends version 1; soft delete and increment swap the version they read', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok(docRow({ version: 1 }), 201));
    await adapter.create({ title: 'Doc', stars: 1 }, docsTable);
    expect(fake.only().body).toMatchObject({ version: 1 });

    const deleting = fakeAdapter();
    deleting.fake.reply(ok([{ version: 3 }]), ok([{ id: NOTE_ID }]));
    await deleting.adapter.softDelete(NOTE_ID, docsTable);
    const patch = deleting.fake.requests[1];
    expect(patch.params).toEqual([
      ['id', `eq.${NOTE_ID}`],
      ['version', 'eq.3'],
      ['deleted_at', 'is.null'],
      ['select', 'id'],
    ]);
    expect(patch.body).toMatchObject({ deleted_at: expect.any(String), version: 4 });
    deleting.fake.verify();

    const counting = fakeAdapter();
    counting.fake.reply(
      ok([docRow({ stars: 1, version: 8 })]),
      ok([docRow({ stars: 2, version: 9 })]),
    );
    await counting.adapter.increment(NOTE_ID, 'stars', 1, docsTable);
    const swap = counting.fake.requests[1];
    expect(swap.params).toEqual(
      expect.arrayContaining([
        ['stars', 'eq.1'],
        ['version', 'eq.8'],
      ]),
    );
    expect(swap.body).toMatchObject({ stars: 2, version: 9 });
    counting.fake.verify();
  });

  it('refuses expectedVersion on a table that is not versioned, or a bad one, without a request', async () => {
    const { adapter, fake } = fakeAdapter();
    for (const [table, expectedVersion] of [
      [notesTable, 1],
      [docsTable, 0],
      [docsTable, 'x'],
    ] as const) {
      const error = await rejection(
        adapter.update(NOTE_ID, { title: 'x' }, table as typeof docsTable, {
          expectedVersion: expectedVersion as number,
        }),
      );
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as ValidationException).field).toBe('expectedVersion');
    }
    expect(fake.requests).toHaveLength(0);
  });
});

describe('SupabaseAdapter ordered upsert (compare and swap)', () => {
  const NEWER = '2024-05-02T08:00:00.000Z';

  it('on a clash, reads the live row and PATCHes it only while the stored value is null or not newer', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(
      TAKEN,
      ok([subscriptionRow()]),
      ok([subscriptionRow({ status: 'canceled', last_event_at: NEWER })]),
    );
    const result = await adapter.upsert(subscriptionInput(NEWER), subscriptionsTable, ORDERED);
    expect(result).toMatchObject({ created: false, applied: true, record: { status: 'canceled' } });
    expect(exchange(fake.requests)).toEqual([
      ['POST', [['select', '*']]],
      [
        'GET',
        [
          ['select', '*'],
          ['stripe_subscription_id', 'eq.sub_1'],
          ['deleted_at', 'is.null'],
        ],
      ],
      [
        'PATCH',
        [
          ['id', `eq.${SUBSCRIPTION_ID}`],
          ['or', `(last_event_at.is.null,last_event_at.lte."${NEWER}")`],
          ['deleted_at', 'is.null'],
          ['select', '*'],
        ],
      ],
    ]);
    expect(fake.requests[2].headers.prefer).toBe('return=representation');
    expect(fake.requests[2].body).toMatchObject({ status: 'canceled', last_event_at: NEWER });
    fake.verify();
  });

  it('keeps a stored row that is newer without a PATCH, answering applied: false', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(TAKEN, ok([subscriptionRow({ last_event_at: '2024-05-03T00:00:00+00:00' })]));
    const result = await adapter.upsert(
      subscriptionInput('2024-05-02T23:59:59.000Z'),
      subscriptionsTable,
      ORDERED,
    );
    expect(result).toMatchObject({ created: false, applied: false, record: { status: 'active' } });
    expect(fake.requests.map((r) => r.method)).toEqual(['POST', 'GET']);
    fake.verify();
  });

  it('a CAS PATCH answered [] (a newer event landed first) starts again and keeps the newer row', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(
      TAKEN,
      ok([subscriptionRow({ last_event_at: null })]),
      ok([]),
      TAKEN,
      ok([subscriptionRow({ status: 'past_due', last_event_at: '2024-05-09T00:00:00+00:00' })]),
    );
    const result = await adapter.upsert(subscriptionInput(NEWER), subscriptionsTable, ORDERED);
    expect(result).toMatchObject({ applied: false, record: { status: 'past_due' } });
    expect(fake.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'PATCH', 'POST', 'GET']);
    fake.verify();
  });

  it('refuses orderedBy misuse without a request', async () => {
    const { adapter, fake } = fakeAdapter();
    for (const [options, field] of [
      [{ ...ORDERED, onConflict: 'ignore' }, 'orderedBy'],
      [{ ...ORDERED, orderedBy: 'status' }, 'orderedBy'],
    ] as const) {
      const error = await rejection(
        adapter.upsert(subscriptionInput(NEWER), subscriptionsTable, options),
      );
      expect((error as ValidationException).field).toBe(field);
    }
    const { lastEventAt: _omitted, ...withoutEvent } = subscriptionInput(NEWER);
    const error = await rejection(adapter.upsert(withoutEvent, subscriptionsTable, ORDERED));
    expect((error as ValidationException).field).toBe('lastEventAt');
    expect(fake.requests).toHaveLength(0);
  });
});
