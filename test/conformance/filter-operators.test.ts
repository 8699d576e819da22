import type { IFilterOptions } from '../../src/adapters/database-adapter.interface';
import { UserStatus } from '../../src/entities/user.entity';
import { paymentsTable, subscriptionsTable, usersTable } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  scopedUserIds,
  expectValidation,
  sleep,
  sortedIds,
  withProvider,
} from './conformance-setup';

describe.each(CONFORMANCE_PROVIDERS)('filter operators', (provider) => {
  withProvider(provider, (db) => {
    const userIds = (scope: Scope, filters: IFilterOptions) =>
      scopedUserIds(db.adapter, scope, filters);

    it('matches equality by value and by eq, and neq excludes the value', async () => {
      const scope = new Scope();
      const [active, inactive, suspended] = await db.adapter.createMany(
        [
          scope.user({ status: UserStatus.Active }),
          scope.user({ status: UserStatus.Inactive }),
          scope.user({ status: UserStatus.Suspended }),
        ],
        usersTable,
      );
      expect(await userIds(scope, { status: 'Active' })).toEqual([active.id]);
      expect(await userIds(scope, { status: { eq: 'Inactive' } })).toEqual([inactive.id]);
      expect(await userIds(scope, { status: { neq: 'Active' } })).toEqual(
        sortedIds([inactive, suspended]),
      );
      expect(await userIds(scope, { status: 'active' })).toEqual([]);
    });

    it('matches IN by array and by in; an empty array matches nothing', async () => {
      const scope = new Scope();
      const [a, b, c] = await db.adapter.createMany(
        [
          scope.user({ firstName: 'Ann' }),
          scope.user({ firstName: 'Ben' }),
          scope.user({ firstName: 'Cy' }),
        ],
        usersTable,
      );
      expect(await userIds(scope, { firstName: ['Ann', 'Cy', 'Nobody'] })).toEqual(
        sortedIds([a, c]),
      );
      expect(await userIds(scope, { firstName: { in: ['Ben', 'Ben'] } })).toEqual([b.id]);
      expect(await userIds(scope, { id: [a.id.toUpperCase(), b.id] })).toEqual(sortedIds([a, b]));
      expect(await userIds(scope, { firstName: [] })).toEqual([]);
      expect(await userIds(scope, { firstName: { in: [] } })).toEqual([]);
      expect(await db.adapter.count({ ...scope.users(), id: [] }, usersTable)).toBe(0);
    });

    it('matches like case-sensitively and ilike ignoring ASCII case only', async () => {
      const scope = new Scope();
      const [upper, lower, shout, other, accented] = await db.adapter.createMany(
        [
          scope.user({ firstName: 'Alice' }),
          scope.user({ firstName: 'alice' }),
          scope.user({ firstName: 'ALICE' }),
          scope.user({ firstName: 'Bob' }),
          scope.user({ firstName: 'Émile' }),
        ],
        usersTable,
      );
      expect(await userIds(scope, { firstName: { like: 'Al%' } })).toEqual([upper.id]);
      expect(await userIds(scope, { firstName: { like: '%lic_' } })).toEqual(
        sortedIds([upper, lower]),
      );
      expect(await userIds(scope, { firstName: { ilike: 'al%' } })).toEqual(
        sortedIds([upper, lower, shout]),
      );
      expect(await userIds(scope, { firstName: { ilike: '%O%' } })).toEqual([other.id]);
      expect(await userIds(scope, { firstName: { ilike: 'émile' } })).toEqual([]);
      expect(await userIds(scope, { firstName: { ilike: 'ÉMILE' } })).toEqual([accented.id]);
    });

    it('lets a backslash escape % and _ in like patterns', async () => {
      const scope = new Scope();
      const [percent, plain, underscore, wild] = await db.adapter.createMany(
        [
          scope.user({ firstName: '100%' }),
          scope.user({ firstName: '1000' }),
          scope.user({ firstName: 'a_b' }),
          scope.user({ firstName: 'axb' }),
        ],
        usersTable,
      );
      expect(await userIds(scope, { firstName: { like: '100\\%' } })).toEqual([percent.id]);
      expect(await userIds(scope, { firstName: { like: '100%' } })).toEqual(
        sortedIds([percent, plain]),
      );
      expect(await userIds(scope, { firstName: { like: 'a\\_b' } })).toEqual([underscore.id]);
      expect(await userIds(scope, { firstName: { like: 'a_b' } })).toEqual(
        sortedIds([underscore, wild]),
      );
    });

    it('rejects an IN list longer than 10,000 values', async () => {
      const values = Array.from({ length: 10_001 }, (_, i) => `name${i}`);
      await expectValidation(
        () => db.adapter.findMany({ filters: { firstName: values } }, usersTable),
        'firstName',
      );
      await expect(
        db.adapter.count({ firstName: values.slice(0, 10_000) }, usersTable),
      ).resolves.toBe(0);
    });

    it('matches integer ranges with gt, gte, lt and lte', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const [p100, p200, p300] = await db.adapter.createMany(
        [100, 200, 300].map((amount) => scope.payment(user.id, { amount })),
        paymentsTable,
      );
      const amounts = async (amount: IFilterOptions[string]) =>
        sortedIds(
          await db.adapter.findMany({ filters: { userId: user.id, amount } }, paymentsTable),
        );
      expect(await amounts({ gt: 100 })).toEqual(sortedIds([p200, p300]));
      expect(await amounts({ gte: 200 })).toEqual(sortedIds([p200, p300]));
      expect(await amounts({ lt: 300 })).toEqual(sortedIds([p100, p200]));
      expect(await amounts({ lte: 200 })).toEqual(sortedIds([p100, p200]));
      expect(await amounts({ gt: 100, lt: 300 })).toEqual([p200.id]);
      expect(await amounts({ gt: 300 })).toEqual([]);
    });

    it('matches timestamp ranges given as strings or Dates, compared as instants', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const [may, june, july] = await db.adapter.createMany(
        ['2024-05-01T00:00:00.000Z', '2024-06-01T00:00:00.000Z', '2024-07-01T00:00:00.000Z'].map(
          (currentPeriodStart) => scope.subscription(user.id, { currentPeriodStart }),
        ),
        subscriptionsTable,
      );
      const starting = async (currentPeriodStart: IFilterOptions[string]) =>
        sortedIds(
          await db.adapter.findMany(
            { filters: { userId: user.id, currentPeriodStart } },
            subscriptionsTable,
          ),
        );
      expect(await starting({ gt: '2024-05-01T00:00:00.000Z' })).toEqual(sortedIds([june, july]));
      expect(await starting({ gte: new Date('2024-06-01T00:00:00Z') })).toEqual(
        sortedIds([june, july]),
      );
      expect(await starting({ lt: '2024-06-01T02:00:00+02:00' })).toEqual([may.id]);
      expect(await starting({ lte: '2024-06-01T00:00:00Z' })).toEqual(sortedIds([may, june]));
      expect(await starting(new Date('2024-07-01T00:00:00.000Z'))).toEqual([july.id]);
    });

    it('matches createdAfter and createdBefore strictly', async () => {
      const scope = new Scope();
      const first = await db.adapter.create(scope.user(), usersTable);
      await sleep(5);
      const second = await db.adapter.create(scope.user(), usersTable);
      await sleep(5);
      const third = await db.adapter.create(scope.user(), usersTable);
      expect(first.createdAt < second.createdAt && second.createdAt < third.createdAt).toBe(true);

      expect(await userIds(scope, { createdAfter: first.createdAt })).toEqual(
        sortedIds([second, third]),
      );
      expect(await userIds(scope, { createdBefore: new Date(third.createdAt) })).toEqual(
        sortedIds([first, second]),
      );
      expect(
        await userIds(scope, { createdAfter: first.createdAt, createdBefore: third.createdAt }),
      ).toEqual([second.id]);
    });

    it('matches isNull true and false, eq null and a null value', async () => {
      const scope = new Scope();
      const [withPhone, without] = await db.adapter.createMany(
        [scope.user({ phone: '+15550100' }), scope.user({ phone: null })],
        usersTable,
      );
      expect(await userIds(scope, { phone: { isNull: true } })).toEqual([without.id]);
      expect(await userIds(scope, { phone: { isNull: false } })).toEqual([withPhone.id]);
      expect(await userIds(scope, { phone: null })).toEqual([without.id]);
      expect(await userIds(scope, { phone: { eq: null } })).toEqual([without.id]);
      expect(await userIds(scope, { phone: { neq: null } })).toEqual([withPhone.id]);
      // SQL semantics: a comparison with NULL is never true, so neq skips NULL rows too.
      expect(await userIds(scope, { phone: { neq: '+15550199' } })).toEqual([withPhone.id]);
    });

    it('matches booleans', async () => {
      const scope = new Scope();
      const [yes, no] = await db.adapter.createMany(
        [scope.user({ emailVerified: true }), scope.user({ emailVerified: false })],
        usersTable,
      );
      expect(await userIds(scope, { emailVerified: true })).toEqual([yes.id]);
      expect(await userIds(scope, { emailVerified: { eq: false } })).toEqual([no.id]);
      expect(await userIds(scope, { emailVerified: { neq: true } })).toEqual([no.id]);
    });

    it('rejects values of the wrong type, naming the field', async () => {
      const find = (filters: Record<string, unknown>) => () =>
        db.adapter.findMany({ filters: filters as IFilterOptions }, usersTable);
      await expectValidation(find({ emailVerified: 'true' }), 'emailVerified');
      await expectValidation(find({ emailVerified: { in: [1] } }), 'emailVerified');
      await expectValidation(find({ id: 'not-a-uuid' }), 'id');
      await expectValidation(find({ id: ['6f1c1a0e-8b8f-4c1e-9a53-0b6a2c8c1f10', 'x'] }), 'id');
      await expectValidation(find({ lastLogin: 'yesterday' }), 'lastLogin');
      await expectValidation(find({ lastLogin: { gt: Number.NaN } }), 'lastLogin');
      await expectValidation(find({ phone: { isNull: 'yes' } }), 'phone');
      await expectValidation(find({ emailVerified: { like: 'tr%' } }), 'emailVerified');
      await expectValidation(find({ firstName: { in: 'Ann' } }), 'firstName');
      await expectValidation(find({ firstName: {} }), 'firstName');
      await expectValidation(find({ createdAfter: 'not a date' }), 'createdAfter');
      await expectValidation(find({ search: 42 }), 'search');

      const payments = (filters: Record<string, unknown>) => () =>
        db.adapter.findMany({ filters: filters as IFilterOptions }, paymentsTable);
      await expectValidation(payments({ amount: Number.NaN }), 'amount');
      await expectValidation(payments({ amount: { gt: '5' } }), 'amount');
      await expectValidation(payments({ amount: 1.5 }), 'amount');
      await expectValidation(payments({ userId: { in: ['nope'] } }), 'userId');
      await expectValidation(payments({ metadata: { eq: 'x' } }), 'metadata');
    });
  });
});
