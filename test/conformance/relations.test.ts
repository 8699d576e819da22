import { PaymentStatus, type IPaymentEntity } from '../../src/entities/payment.entity';
import type { IUserEntity } from '../../src/entities/user.entity';
import { paymentsTable, subscriptionsTable, usersTable } from '../../src/schema';
import { hasOne, withRelations } from '../../src/schema/relations';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  expectValidation,
  ids,
  sleep,
  sortedIds,
  withProvider,
  type ConformanceDatabase,
} from './conformance-setup';

/** Users as a test declares them further: each user's first payment, as one row or null. */
const usersWithFirstPayment = withRelations(usersTable, {
  firstPayment: hasOne(() => paymentsTable, 'userId'),
});

type UserWithPayments = IUserEntity & { payments: IPaymentEntity[] };

const HOSTILE = `x'); DROP TABLE payments; --"),or(id.neq.0`;

/** Three users of a scope: two payments (3, then 7, then a deleted one of 5), one, none. */
async function billingFixture(db: ConformanceDatabase, scope: Scope) {
  const { adapter } = db;
  const [rich, poor, none] = await adapter.createMany(
    [scope.user({ firstName: 'Rich' }), scope.user({ firstName: 'Poor' }), scope.user()],
    usersTable,
  );
  const early = await adapter.create(
    scope.payment(rich.id, {
      amount: 300,
      status: PaymentStatus.Succeeded,
      metadata: { n: 1, ok: true },
    }),
    paymentsTable,
  );
  await sleep(2);
  const late = await adapter.create(
    scope.payment(rich.id, {
      amount: 700,
      status: PaymentStatus.Canceled,
      lastEventAt: '2024-05-01T12:00:00.123Z',
    }),
    paymentsTable,
  );
  const deleted = await adapter.create(scope.payment(rich.id, { amount: 500 }), paymentsTable);
  await adapter.softDelete(deleted.id, paymentsTable);
  const single = await adapter.create(scope.payment(poor.id, { amount: 100 }), paymentsTable);
  return { rich, poor, none, early, late, deleted, single };
}

describe.each(CONFORMANCE_PROVIDERS)('relations', (provider) => {
  withProvider(provider, (db) => {
    it('includes hasMany rows exactly as a plain read returns them, live ones in order', async () => {
      const scope = new Scope();
      const f = await billingFixture(db, scope);
      const users = (await db.adapter.findMany(
        { filters: scope.users(), orderBy: { field: 'firstName' }, include: { payments: true } },
        usersTable,
      )) as UserWithPayments[];

      expect(users.map((u) => u.firstName)).toEqual(['Ada', 'Poor', 'Rich']);
      const plain = await db.adapter.findMany(
        { filters: { userId: f.rich.id }, orderBy: { field: 'createdAt' } },
        paymentsTable,
      );
      expect(users[2].payments).toStrictEqual(plain);
      expect(ids(users[2].payments)).toEqual([f.early.id, f.late.id]);
      expect(users[2].payments[1].lastEventAt).toBe('2024-05-01T12:00:00.123Z');
      expect(users[2].payments[0].metadata).toEqual({ n: 1, ok: true });
      expect(ids(users[1].payments)).toEqual([f.single.id]);
      expect(users[0].payments).toEqual([]);
      expect(users[2].emailVerified).toBe(false);
    });

    it('includes belongsTo and hasOne as one row or null', async () => {
      const scope = new Scope();
      const f = await billingFixture(db, scope);
      const payments = (await db.adapter.findMany(
        { filters: { id: { in: [f.early.id, f.single.id] } }, include: { user: true } },
        paymentsTable,
      )) as (IPaymentEntity & { user: IUserEntity | null })[];
      const byId = new Map(payments.map((p) => [p.id, p]));
      expect(byId.get(f.early.id)?.user).toStrictEqual(
        await db.adapter.findById(f.rich.id, usersTable),
      );
      expect(byId.get(f.single.id)?.user?.id).toBe(f.poor.id);

      // A soft-deleted parent is not included: the payment's user is then null.
      await db.adapter.softDelete(f.poor.id, usersTable);
      const orphan = (await db.adapter.findFirst(
        { filters: { id: f.single.id }, include: { user: true } },
        paymentsTable,
      )) as IPaymentEntity & { user: IUserEntity | null };
      expect(orphan.user).toBeNull();
      const kept = (await db.adapter.findFirst(
        { filters: { id: f.single.id }, include: { user: { includeDeleted: true } } },
        paymentsTable,
      )) as IPaymentEntity & { user: IUserEntity | null };
      expect(kept.user?.id).toBe(f.poor.id);

      const users = (await db.adapter.findMany(
        {
          filters: scope.users(),
          orderBy: { field: 'firstName' },
          include: { firstPayment: true },
        },
        usersWithFirstPayment,
      )) as (IUserEntity & { firstPayment: IPaymentEntity | null })[];
      expect(users.map((u) => u.firstPayment?.id ?? null)).toEqual([null, f.early.id]);
    });

    it('applies filters, order, limit and select inside an include', async () => {
      const scope = new Scope();
      const f = await billingFixture(db, scope);
      const [user] = (await db.adapter.findMany(
        {
          filters: { id: f.rich.id },
          include: {
            payments: {
              filters: { amount: { gte: 100 } },
              orderBy: { field: 'amount', direction: 'desc' },
              limit: 1,
            },
          },
        },
        usersTable,
      )) as UserWithPayments[];
      expect(ids(user.payments)).toEqual([f.late.id]);

      const [narrow] = (await db.adapter.findMany(
        {
          filters: { id: f.rich.id },
          include: { payments: { filters: { status: 'succeeded' }, select: ['amount', 'status'] } },
        },
        usersTable,
      )) as UserWithPayments[];
      expect(narrow.payments.map((p) => ({ ...p }))).toEqual([
        { amount: 300, status: 'succeeded' },
      ]);

      const [nothing] = (await db.adapter.findMany(
        { filters: { id: f.rich.id }, include: { payments: { filters: { amount: { in: [] } } } } },
        usersTable,
      )) as UserWithPayments[];
      expect(nothing.payments).toEqual([]);
    });

    it('includes soft-deleted related rows only when asked', async () => {
      const scope = new Scope();
      const f = await billingFixture(db, scope);
      const read = async (includeDeleted: boolean) =>
        (
          (await db.adapter.findFirst(
            { filters: { id: f.rich.id }, include: { payments: { includeDeleted } } },
            usersTable,
          )) as UserWithPayments
        ).payments;
      expect(sortedIds(await read(false))).toEqual(sortedIds([f.early, f.late]));
      expect(sortedIds(await read(true))).toEqual(sortedIds([f.early, f.late, f.deleted]));
    });

    it('includes on every page kind, and on an empty page', async () => {
      const scope = new Scope();
      const f = await billingFixture(db, scope);
      const options = {
        filters: scope.users(),
        orderBy: { field: 'firstName' as const, direction: 'desc' as const },
        include: { payments: true as const, subscriptions: true as const },
      };
      const offset = await db.adapter.findPage(
        { ...options, pagination: { page: 1, limit: 2 } },
        usersTable,
      );
      expect(offset.data.map((u) => (u as UserWithPayments).payments.length)).toEqual([2, 1]);
      expect('total' in offset && offset.total).toBe(3);
      const cursor = await db.adapter.findPage(
        { ...options, pagination: { limit: 2 } },
        usersTable,
      );
      expect(ids(cursor.data)).toEqual([f.rich.id, f.poor.id]);
      expect((cursor.data[1] as UserWithPayments).payments.map((p) => p.amount)).toEqual([100]);
      const empty = await db.adapter.findPage(
        { ...options, filters: { ...scope.users(), firstName: 'Nobody' } },
        usersTable,
      );
      expect(empty.data).toEqual([]);
      expect(
        await db.adapter.findMany({ ...options, filters: { id: { in: [] } } }, usersTable),
      ).toEqual([]);
    });

    it('filters parents by some, none and every related row', async () => {
      const scope = new Scope();
      const f = await billingFixture(db, scope);
      const find = async (payments: object) =>
        sortedIds(
          await db.adapter.findMany({ filters: { ...scope.users(), payments } }, usersTable),
        );
      expect(await find({ some: { status: 'canceled' } })).toEqual([f.rich.id]);
      expect(await find({ some: {} })).toEqual(sortedIds([f.rich, f.poor]));
      expect(await find({ none: { status: 'canceled' } })).toEqual(sortedIds([f.poor, f.none]));
      expect(await find({ none: {} })).toEqual([f.none.id]);
      // The deleted payment (500) is not a related row, so it does not break `every`.
      expect(await find({ every: { amount: { in: [300, 700, 100] } } })).toEqual(
        sortedIds([f.rich, f.poor, f.none]),
      );
      expect(await find({ every: { status: 'succeeded' } })).toEqual(sortedIds([f.poor, f.none]));
      // A NULL test fails `every`: no payment has a description.
      expect(await find({ every: { description: { like: '%' } } })).toEqual([f.none.id]);
      expect(await find({ some: { amount: { in: [] } } })).toEqual([]);
      expect(await find({ none: { amount: { in: [] } } })).toEqual(
        sortedIds([f.rich, f.poor, f.none]),
      );
      expect(await find({ every: { amount: { in: [] } } })).toEqual([f.none.id]);
      expect(await find({ some: { status: 'canceled' }, none: { amount: 100 } })).toEqual([
        f.rich.id,
      ]);
      expect(
        await db.adapter.count(
          { ...scope.users(), payments: { some: { amount: 100 } } },
          usersTable,
        ),
      ).toBe(1);
      const page = await db.adapter.findPage(
        {
          filters: { ...scope.users(), payments: { some: {} } },
          pagination: { page: 1, limit: 1 },
        },
        usersTable,
      );
      expect('total' in page && page.total).toBe(2);

      // From the other side, nested: payments whose user has a failed payment.
      const nested = await db.adapter.findMany(
        {
          filters: {
            user: { some: { ...scope.users(), payments: { some: { status: 'canceled' } } } },
          },
        },
        paymentsTable,
      );
      expect(sortedIds(nested)).toEqual(sortedIds([f.early, f.late]));
    });

    it('keeps hostile values as values, in include filters and relation filters', async () => {
      const scope = new Scope();
      const f = await billingFixture(db, scope);
      await db.adapter.create(scope.payment(f.none.id, { description: HOSTILE }), paymentsTable);
      const users = (await db.adapter.findMany(
        {
          filters: { ...scope.users(), payments: { some: { description: HOSTILE } } },
          include: { payments: { filters: { description: { like: `%${HOSTILE.slice(0, 8)}%` } } } },
        },
        usersTable,
      )) as UserWithPayments[];
      expect(ids(users)).toEqual([f.none.id]);
      expect(users[0].payments.map((p) => p.description)).toEqual([HOSTILE]);
      expect(await db.adapter.count({ userId: f.rich.id }, paymentsTable)).toBe(2);
      const none = await db.adapter.findMany(
        { filters: { ...scope.users(), payments: { some: { status: HOSTILE } } } },
        usersTable,
      );
      expect(none).toEqual([]);
    });

    it('refuses unknown relations and options with a ValidationException naming them', async () => {
      const find =
        (options: object, table = usersTable) =>
        () =>
          db.adapter.findMany(options, table as typeof usersTable);
      await expectValidation(find({ include: { invoices: true } }), 'include.invoices');
      await expectValidation(find({ include: { payments: { sort: 1 } } }), 'include.payments.sort');
      await expectValidation(
        find({ include: { payments: { filters: { nope: 1 } } } }),
        'include.payments.nope',
      );
      await expectValidation(
        find({ include: { payments: { limit: 0 } } }),
        'include.payments.limit',
      );
      await expectValidation(
        find({ include: { user: { limit: 2 } } }, paymentsTable as never),
        'include.user',
      );
      await expectValidation(find({ filters: { payments: { any: {} } } }), 'payments.any');
      await expectValidation(
        find({ filters: { payments: { some: { nope: 1 } } } }),
        'payments.some.nope',
      );
      await expectValidation(find({ filters: { payments: 'x' } }), 'payments');
      await expectValidation(find({ include: { constructor: true } }), 'include.constructor');
      expect(subscriptionsTable.relations).toBeDefined();
    });
  });
});
