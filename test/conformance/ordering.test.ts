import type { IOrderByOptions } from '../../src/adapters/database-adapter.interface';
import { UserStatus } from '../../src/entities/user.entity';
import { subscriptionsTable, usersTable } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  expectValidation,
  ids,
  sortRows,
  sortedIds,
  withProvider,
} from './conformance-setup';

describe.each(CONFORMANCE_PROVIDERS)('ordering', (provider) => {
  withProvider(provider, (db) => {
    it('breaks ties by id in the direction of the last key, so an index on (key, id) serves both', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const rows = await db.adapter.createMany(
        Array.from({ length: 25 }, () => scope.subscription(user.id)),
        subscriptionsTable,
      );
      for (const direction of ['asc', 'desc'] as const) {
        const found = await db.adapter.findMany(
          {
            filters: { userId: user.id },
            orderBy: { field: 'currentPeriodStart', direction },
          },
          subscriptionsTable,
        );
        const byId = sortedIds(rows);
        expect(ids(found)).toEqual(direction === 'asc' ? byId : byId.reverse());
      }
    });

    it('orders by createdAt ascending, then id, by default; rows of one createMany tie', async () => {
      const scope = new Scope();
      const rows = await db.adapter.createMany(
        Array.from({ length: 25 }, () => scope.user()),
        usersTable,
      );
      expect(new Set(rows.map((row) => row.createdAt)).size).toBe(1);
      const found = await db.adapter.findMany({ filters: scope.users() }, usersTable);
      expect(ids(found)).toEqual(sortedIds(rows));
      expect(ids(found)).toEqual(ids(sortRows(rows, [{ field: 'createdAt' }])));
      const desc = await db.adapter.findMany(
        { filters: scope.users(), orderBy: { field: 'createdAt', direction: 'desc' } },
        usersTable,
      );
      expect(ids(desc)).toEqual(ids(sortRows(rows, [{ field: 'createdAt', direction: 'desc' }])));
    });

    it('orders by several fields, each ascending or descending', async () => {
      const scope = new Scope();
      const rows = await db.adapter.createMany(
        [
          [UserStatus.Active, 'Cy'],
          [UserStatus.Inactive, 'Ann'],
          [UserStatus.Active, 'Ann'],
          [UserStatus.Suspended, 'Bo'],
          [UserStatus.Inactive, 'Cy'],
          [UserStatus.Active, 'Bo'],
          [UserStatus.Active, 'Bo'],
        ].map(([status, firstName]) => scope.user({ status: status as UserStatus, firstName })),
        usersTable,
      );
      const orders: IOrderByOptions[][] = [
        [{ field: 'status' }, { field: 'firstName', direction: 'desc' }],
        [
          { field: 'firstName', direction: 'asc' },
          { field: 'status', direction: 'desc' },
        ],
        [
          { field: 'status', direction: 'desc' },
          { field: 'firstName', direction: 'desc' },
        ],
      ];
      for (const orderBy of orders) {
        const found = await db.adapter.findMany({ filters: scope.users(), orderBy }, usersTable);
        expect(ids(found)).toEqual(ids(sortRows(rows, orderBy)));
      }
    });

    it('sorts NULL as larger than every value: last ascending, first descending', async () => {
      const scope = new Scope();
      const rows = await db.adapter.createMany(
        ['+15550102', null, '+15550100', null, '+15550101'].map((phone) => scope.user({ phone })),
        usersTable,
      );
      const asc = await db.adapter.findMany(
        { filters: scope.users(), orderBy: { field: 'phone' } },
        usersTable,
      );
      expect(asc.map((u) => u.phone)).toEqual(['+15550100', '+15550101', '+15550102', null, null]);
      expect(ids(asc)).toEqual(ids(sortRows(rows, [{ field: 'phone' }])));
      const desc = await db.adapter.findMany(
        { filters: scope.users(), orderBy: { field: 'phone', direction: 'desc' } },
        usersTable,
      );
      expect(desc.map((u) => u.phone)).toEqual([null, null, '+15550102', '+15550101', '+15550100']);
      expect(ids(desc)).toEqual(ids(sortRows(rows, [{ field: 'phone', direction: 'desc' }])));
    });

    it('orders text by code point (B before a)', async () => {
      const scope = new Scope();
      await db.adapter.createMany(
        ['b', 'é', 'B', 'a', '_x', 'Z', 'A', 'ab', 'aB'].map((firstName) =>
          scope.user({ firstName }),
        ),
        usersTable,
      );
      const found = await db.adapter.findMany(
        { filters: scope.users(), orderBy: { field: 'firstName' } },
        usersTable,
      );
      expect(found.map((u) => u.firstName)).toEqual([
        'A',
        'B',
        'Z',
        '_x',
        'a',
        'aB',
        'ab',
        'b',
        'é',
      ]);
    });

    it('orders booleans false before true, and by id when asked', async () => {
      const scope = new Scope();
      const rows = await db.adapter.createMany(
        [true, false, true, false].map((emailVerified) => scope.user({ emailVerified })),
        usersTable,
      );
      const found = await db.adapter.findMany(
        { filters: scope.users(), orderBy: { field: 'emailVerified', direction: 'desc' } },
        usersTable,
      );
      expect(ids(found)).toEqual(
        ids(sortRows(rows, [{ field: 'emailVerified', direction: 'desc' }])),
      );
      const byId = await db.adapter.findMany(
        { filters: scope.users(), orderBy: { field: 'id', direction: 'desc' } },
        usersTable,
      );
      expect(ids(byId)).toEqual(sortedIds(rows).reverse());
    });

    it('rejects a bad direction and ordering by a JSON field', async () => {
      await expectValidation(
        () =>
          db.adapter.findMany(
            { orderBy: { field: 'email', direction: 'up' as 'asc' } },
            usersTable,
          ),
        'orderBy[0].direction',
      );
      await expectValidation(
        () => db.adapter.findMany({ orderBy: { field: 'metadata' } }, subscriptionsTable),
        'metadata',
      );
    });
  });
});
