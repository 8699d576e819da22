import type {
  FindOptions,
  ICursorPaginatedResult,
  IOrderByOptions,
  IPaginatedResult,
} from '../../src/adapters/database-adapter.interface';
import type { IUserEntity } from '../../src/entities/user.entity';
import { UserStatus } from '../../src/entities/user.entity';
import { usersTable } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  expectValidation,
  ids,
  sortRows,
  withProvider,
} from './conformance-setup';

describe.each(CONFORMANCE_PROVIDERS)('pagination', (provider) => {
  withProvider(provider, (db) => {
    async function offsetPage(options: FindOptions): Promise<IPaginatedResult<IUserEntity>> {
      return (await db.adapter.findPage(options, usersTable)) as IPaginatedResult<IUserEntity>;
    }

    async function cursorPage(options: FindOptions): Promise<ICursorPaginatedResult<IUserEntity>> {
      return (await db.adapter.findPage(
        options,
        usersTable,
      )) as ICursorPaginatedResult<IUserEntity>;
    }

    /** Every row of the scope, page by page with cursors; fails if a walk does not end. */
    async function walk(
      scope: Scope,
      orderBy: IOrderByOptions | IOrderByOptions[],
      limit: number,
    ): Promise<{ rows: IUserEntity[]; pages: number }> {
      const rows: IUserEntity[] = [];
      let after: string | null = null;
      for (let pages = 1; pages <= 100; pages++) {
        const page = await cursorPage({
          filters: scope.users(),
          orderBy,
          pagination: { after, limit },
        });
        expect(page.limit).toBe(limit);
        expect(page.data.length).toBeLessThanOrEqual(limit);
        rows.push(...page.data);
        expect(page.hasNext).toBe(page.nextCursor !== null);
        if (!page.hasNext) return { rows, pages };
        expect(page.data).toHaveLength(limit);
        after = page.nextCursor;
      }
      throw new Error('The cursor walk did not end');
    }

    it('returns an offset page with total, totalPages, hasNext and hasPrevious', async () => {
      const scope = new Scope();
      const rows = await db.adapter.createMany(
        Array.from({ length: 25 }, () => scope.user()),
        usersTable,
      );
      const order = ids(sortRows(rows, [{ field: 'createdAt' }]));

      const first = await offsetPage({
        filters: scope.users(),
        pagination: { page: 1, limit: 10 },
      });
      expect({ ...first, data: ids(first.data) }).toEqual({
        data: order.slice(0, 10),
        total: 25,
        page: 1,
        limit: 10,
        totalPages: 3,
        hasNext: true,
        hasPrevious: false,
      });
      const second = await offsetPage({
        filters: scope.users(),
        pagination: { page: 2, limit: 10 },
      });
      expect(ids(second.data)).toEqual(order.slice(10, 20));
      expect([second.hasNext, second.hasPrevious]).toEqual([true, true]);
      const last = await offsetPage({ filters: scope.users(), pagination: { page: 3, limit: 10 } });
      expect(ids(last.data)).toEqual(order.slice(20));
      expect([last.hasNext, last.hasPrevious, last.totalPages]).toEqual([false, true, 3]);
      const beyond = await offsetPage({
        filters: scope.users(),
        pagination: { page: 4, limit: 10 },
      });
      expect({ ...beyond, data: ids(beyond.data) }).toEqual({
        data: [],
        total: 25,
        page: 4,
        limit: 10,
        totalPages: 3,
        hasNext: false,
        hasPrevious: true,
      });
    });

    it('returns page 1 of 20 from findPage without pagination, and an empty page of nothing', async () => {
      const scope = new Scope();
      const rows = await db.adapter.createMany(
        Array.from({ length: 21 }, () => scope.user()),
        usersTable,
      );
      const page = await offsetPage({ filters: scope.users() });
      expect([page.page, page.limit, page.total, page.totalPages, page.hasNext]).toEqual([
        1,
        20,
        21,
        2,
        true,
      ]);
      expect(ids(page.data)).toEqual(ids(sortRows(rows, [{ field: 'createdAt' }])).slice(0, 20));

      const empty = await offsetPage({
        filters: { ...scope.users(), firstName: 'Nobody' },
        pagination: { page: 1, limit: 5 },
      });
      expect(empty).toEqual({
        data: [],
        total: 0,
        page: 1,
        limit: 5,
        totalPages: 0,
        hasNext: false,
        hasPrevious: false,
      });
    });

    it('pages findMany with offset pagination too', async () => {
      const scope = new Scope();
      const rows = await db.adapter.createMany(
        Array.from({ length: 5 }, () => scope.user()),
        usersTable,
      );
      const found = await db.adapter.findMany(
        { filters: scope.users(), pagination: { page: 2, limit: 2 } },
        usersTable,
      );
      expect(ids(found)).toEqual(ids(sortRows(rows, [{ field: 'createdAt' }])).slice(2, 4));
    });

    it('accepts limits from 1 to 100 and pages from 1, and rejects anything else', async () => {
      const filters = new Scope().users();
      await expect(
        offsetPage({ filters, pagination: { page: 1, limit: 1 } }),
      ).resolves.toBeDefined();
      await expect(
        offsetPage({ filters, pagination: { page: 1, limit: 100 } }),
      ).resolves.toBeDefined();
      const bad: Array<[number, number, string]> = [
        [0, 10, 'pagination.page'],
        [-1, 10, 'pagination.page'],
        [1.5, 10, 'pagination.page'],
        [Number.NaN, 10, 'pagination.page'],
        [1, 0, 'pagination.limit'],
        [1, 101, 'pagination.limit'],
        [1, 2.5, 'pagination.limit'],
        [1, Number.POSITIVE_INFINITY, 'pagination.limit'],
      ];
      for (const [page, limit, field] of bad) {
        await expectValidation(() => offsetPage({ filters, pagination: { page, limit } }), field);
        await expectValidation(
          () => db.adapter.findMany({ filters, pagination: { page, limit } }, usersTable),
          field,
        );
      }
      await expectValidation(
        () => cursorPage({ filters, pagination: { limit: 101 } }),
        'pagination.limit',
      );
      await expectValidation(
        () => cursorPage({ filters, pagination: { limit: 0 } }),
        'pagination.limit',
      );
    });

    it('walks every row exactly once with cursors when many rows share createdAt', async () => {
      const scope = new Scope();
      const rows = await db.adapter.createMany(
        Array.from({ length: 25 }, () => scope.user()),
        usersTable,
      );
      for (const direction of ['asc', 'desc'] as const) {
        for (const limit of [1, 7, 25, 100]) {
          const orderBy = { field: 'createdAt', direction };
          const { rows: walked, pages } = await walk(scope, orderBy, limit);
          expect(ids(walked)).toEqual(ids(sortRows(rows, [orderBy])));
          expect(pages).toBe(Math.max(1, Math.ceil(25 / limit)));
        }
      }
    });

    it('walks every row exactly once with cursors over several order fields', async () => {
      const scope = new Scope();
      const statuses = [UserStatus.Active, UserStatus.Inactive, UserStatus.Suspended];
      const rows = await db.adapter.createMany(
        Array.from({ length: 23 }, (_, i) =>
          scope.user({
            status: statuses[i % 3],
            firstName: ['Bo', 'ann', 'Cy', 'Ann'][i % 4],
            emailVerified: i % 2 === 0,
          }),
        ),
        usersTable,
      );
      const orders: IOrderByOptions[][] = [
        [{ field: 'status' }, { field: 'firstName', direction: 'desc' }],
        [{ field: 'firstName', direction: 'desc' }, { field: 'emailVerified' }],
        [
          { field: 'emailVerified', direction: 'desc' },
          { field: 'status', direction: 'desc' },
          { field: 'createdAt' },
        ],
        [{ field: 'id', direction: 'desc' }],
      ];
      for (const orderBy of orders) {
        const { rows: walked } = await walk(scope, orderBy, 4);
        expect(ids(walked)).toEqual(ids(sortRows(rows, orderBy)));
      }
    });

    it('returns no cursor on a single or empty page', async () => {
      const scope = new Scope();
      const empty = await cursorPage({ filters: scope.users(), pagination: { limit: 5 } });
      expect(empty).toEqual({ data: [], limit: 5, nextCursor: null, hasNext: false });
      const row = await db.adapter.create(scope.user(), usersTable);
      const one = await cursorPage({ filters: scope.users(), pagination: { limit: 1 } });
      expect(one).toEqual({ data: [row], limit: 1, nextCursor: null, hasNext: false });
    });

    it('rejects a tampered cursor or one made for another order', async () => {
      const scope = new Scope();
      await db.adapter.createMany(
        Array.from({ length: 3 }, () => scope.user()),
        usersTable,
      );
      const filters = scope.users();
      const first = await cursorPage({ filters, pagination: { limit: 1 } });
      const cursor = first.nextCursor!;
      expect(typeof cursor).toBe('string');

      const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
        v: unknown[];
      };
      const reencode = (value: unknown) =>
        Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
      const tampered = [
        'not a cursor',
        cursor.slice(0, -3),
        reencode({ ...decoded, v: [...decoded.v, 'extra'] }),
        reencode({ ...decoded, v: decoded.v.map(() => 'x') }),
        reencode({ ...decoded, v: [{ nested: true }, decoded.v[1]] }),
        reencode([1, 2]),
        '',
      ];
      for (const after of tampered) {
        await expectValidation(
          () => cursorPage({ filters, pagination: { after, limit: 1 } }),
          'pagination.after',
        );
      }
      await expectValidation(
        () =>
          cursorPage({
            filters,
            orderBy: { field: 'createdAt', direction: 'desc' },
            pagination: { after: cursor, limit: 1 },
          }),
        'pagination.after',
      );
      await expectValidation(
        () =>
          cursorPage({
            filters,
            orderBy: { field: 'email' },
            pagination: { after: cursor, limit: 1 },
          }),
        'pagination.after',
      );
    });

    it('rejects cursor pagination over a nullable order field', async () => {
      await expectValidation(
        () => cursorPage({ orderBy: { field: 'phone' }, pagination: { limit: 5 } }),
        'phone',
      );
      await expectValidation(
        () =>
          cursorPage({
            orderBy: [{ field: 'status' }, { field: 'lastLogin', direction: 'desc' }],
            pagination: { limit: 5 },
          }),
        'lastLogin',
      );
    });
  });
});
