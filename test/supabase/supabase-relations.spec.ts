/**
 * Relations on Supabase as PostgREST resource embedding (docs/references/api/resource_embedding.rst):
 * - an include is an embed in `select` (`payments(*)`, `alias:table(cols)` for another name), and
 *   its filters, order and limit are parameters prefixed with the embed's name
 *   (`payments.status=eq.x`, `payments.order=amount.desc`, `payments.limit=5`);
 * - a to-many embed is a JSON array, a to-one embed an object or null;
 * - "top-level filtering": `alias:table!inner()` keeps only rows with a matching embedded row, and
 *   `alias=is.null` on an (empty) embed only rows without one (null filtering on embedded
 *   resources, PostgREST 11+).
 */
import { ValidationException } from '../../src/exceptions';
import { paymentsTable, usersTable } from '../../src/schema';
import { caught } from '../conformance/conformance-setup';
import { fakeAdapter, ok } from './support/fake-postgrest';

const USER_ID = '3f1c1e0e-4a57-4b8e-9a7e-2f1d9f0b1c2d';
const PAYMENT_ID = '6f1c1e0e-4a57-4b8e-9a7e-2f1d9f0b1c2d';
const HOSTILE = 'x"),or(id.neq.0,amount.gt.(';

function userRow(extra: Record<string, unknown> = {}) {
  return {
    id: USER_ID,
    email: 'ada@example.com',
    first_name: 'Ada',
    last_name: 'Lovelace',
    password_hash: 'secret',
    role: 'User',
    status: 'Active',
    email_verified: true,
    phone: null,
    avatar_url: null,
    stripe_customer_id: null,
    last_login: '2024-05-01T12:00:00.123+00:00',
    created_at: '2024-05-01T12:00:00+00:00',
    updated_at: '2024-05-01T12:00:00.5+00:00',
    deleted_at: null,
    ...extra,
  };
}

function paymentRow(extra: Record<string, unknown> = {}) {
  return {
    id: PAYMENT_ID,
    stripe_payment_intent_id: 'pi_1',
    user_id: USER_ID,
    stripe_customer_id: null,
    amount: 1999,
    currency: 'usd',
    status: 'succeeded',
    payment_method: 'card',
    description: null,
    metadata: { plan: 'pro' },
    last_event_at: null,
    created_at: '2024-05-02T08:30:00.001+00:00',
    updated_at: '2024-05-02T08:30:00.001+00:00',
    deleted_at: null,
    ...extra,
  };
}

describe('SupabaseAdapter relations', () => {
  it('embeds an include with its filters, order and limit, and maps the embedded rows', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(
      ok([userRow({ payments: [paymentRow()] }), userRow({ id: PAYMENT_ID, payments: [] })]),
    );
    const users = (await adapter.findMany(
      {
        filters: { status: 'Active' },
        include: {
          payments: {
            filters: { status: { in: ['succeeded', HOSTILE] }, description: HOSTILE },
            orderBy: { field: 'amount', direction: 'desc' },
            limit: 5,
          },
        },
      },
      usersTable,
    )) as unknown as { payments: Record<string, unknown>[]; lastLogin: string }[];

    expect(fake.only().params).toEqual([
      ['select', '*,payments(*)'],
      ['deleted_at', 'is.null'],
      ['status', 'eq.Active'],
      ['order', 'created_at.asc.nullslast,id.asc.nullslast'],
      ['payments.deleted_at', 'is.null'],
      ['payments.status', `in.("succeeded","x\\"),or(id.neq.0,amount.gt.(")`],
      ['payments.description', `eq.${HOSTILE}`],
      ['payments.order', 'amount.desc.nullsfirst,id.desc.nullsfirst'],
      ['payments.limit', '5'],
    ]);
    expect(users[0].lastLogin).toBe('2024-05-01T12:00:00.123Z');
    expect({ ...users[0].payments[0] }).toMatchObject({
      id: PAYMENT_ID,
      amount: 1999,
      metadata: { plan: 'pro' },
      createdAt: '2024-05-02T08:30:00.001Z',
    });
    expect(users[1].payments).toEqual([]);
    fake.verify();
  });

  it('embeds belongsTo under its name as one row or null, and a select as a column list', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([paymentRow({ user: userRow() }), paymentRow({ user: null })]));
    const payments = (await adapter.findMany(
      { include: { user: true } },
      paymentsTable,
    )) as unknown as {
      user: { email: string; emailVerified: boolean } | null;
    }[];
    expect(fake.requests[0].params[0]).toEqual(['select', '*,user:users(*)']);
    expect(fake.requests[0].params).toContainEqual(['user.deleted_at', 'is.null']);
    expect(fake.requests[0].params.some(([key]) => key === 'user.limit')).toBe(false);
    expect(payments[0].user).toMatchObject({ email: 'ada@example.com', emailVerified: true });
    expect(payments[1].user).toBeNull();

    fake.reply(ok([userRow({ payments: [{ amount: 5, status: 'succeeded' }] })]));
    const [narrow] = (await adapter.findMany(
      { include: { payments: { select: ['status', 'amount'], includeDeleted: true } } },
      usersTable,
    )) as unknown as { payments: object[] }[];
    expect(fake.requests[1].params[0]).toEqual(['select', '*,payments(amount,status)']);
    expect(fake.requests[1].params.some(([key]) => key === 'payments.deleted_at')).toBe(false);
    expect({ ...narrow.payments[0] }).toEqual({ amount: 5, status: 'succeeded' });

    // Filters that match nothing leave the embed empty, whatever PostgREST sent.
    fake.reply(ok([userRow({ payments: [paymentRow()] })]));
    const [none] = (await adapter.findMany(
      { include: { payments: { filters: { amount: { in: [] } } } } },
      usersTable,
    )) as unknown as { payments: object[] }[];
    expect(none.payments).toEqual([]);
    fake.verify();
  });

  it('filters by some with an inner embed and by none with a null embed', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([]));
    await adapter.findMany(
      {
        filters: {
          payments: { some: { status: HOSTILE }, none: { amount: { gt: 5000 } } },
          subscriptions: { some: {} },
        },
      },
      usersTable,
    );
    expect(fake.only().params).toEqual([
      ['select', '*,R0:payments!inner(),R1:payments(),R2:subscriptions!inner()'],
      ['deleted_at', 'is.null'],
      ['R0.deleted_at', 'is.null'],
      ['R0.status', `eq.${HOSTILE}`],
      ['R1.deleted_at', 'is.null'],
      ['R1.amount', 'gt.5000'],
      ['R1', 'is.null'],
      ['R2.deleted_at', 'is.null'],
      ['order', 'created_at.asc.nullslast,id.asc.nullslast'],
    ]);
  });

  it('counts and pages with relation filters and includes in one request each', async () => {
    const { adapter, fake } = fakeAdapter();
    fake.reply(ok([userRow({ payments: [] })], 200, '0-0/7'));
    const page = await adapter.findPage(
      {
        filters: { payments: { some: { amount: 100 } } },
        include: { payments: true },
        pagination: { page: 1, limit: 1 },
      },
      usersTable,
    );
    expect('total' in page && page.total).toBe(7);
    expect(fake.requests[0].params[0]).toEqual(['select', '*,payments(*),R0:payments!inner()']);
    expect(fake.requests[0].headers.prefer).toContain('count=exact');
    fake.verify();
  });

  it('refuses what PostgREST cannot express before sending anything', async () => {
    const { adapter, fake } = fakeAdapter();
    const every = await caught(() =>
      adapter.findMany({ filters: { payments: { every: { status: 'succeeded' } } } }, usersTable),
    );
    expect(every).toBeInstanceOf(ValidationException);
    expect((every as ValidationException).field).toBe('payments.every');
    const nested = await caught(() =>
      adapter.findMany(
        { include: { payments: { filters: { user: { some: { status: 'Active' } } } } } },
        usersTable,
      ),
    );
    expect((nested as ValidationException).field).toBe('include.payments');
    expect(fake.requests).toHaveLength(0);
  });
});
