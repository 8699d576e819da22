import type {
  ICursorPaginatedResult,
  IFilterOptions,
} from '../../src/adapters/database-adapter.interface';
import fc from 'fast-check';
import { UserRole, UserStatus } from '../../src/entities/user.entity';
import { MAX_GROUP_DEPTH, MAX_GROUP_TERMS } from '../../src/query/plan-groups';
import { usersTable } from '../../src/schema';
import { filterTree, FIRST_NAMES, PHONES, truthOf } from './boolean-groups-model';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  scopedUserIds,
  expectValidation,
  sortedIds,
  withProvider,
} from './conformance-setup';

describe.each(CONFORMANCE_PROVIDERS)('boolean groups and projection', (provider) => {
  withProvider(provider, (db) => {
    const userIds = (scope: Scope, filters: IFilterOptions) =>
      scopedUserIds(db.adapter, scope, filters);

    /** Four users: Ann (admin, active), Ben (user, inactive, phone), Cy (user, active), Di (user, suspended). */
    async function fourUsers(scope: Scope) {
      return db.adapter.createMany(
        [
          scope.user({ firstName: 'Ann', role: UserRole.Admin }),
          scope.user({ firstName: 'Ben', status: UserStatus.Inactive, phone: '+4915112345678' }),
          scope.user({ firstName: 'Cy' }),
          scope.user({ firstName: 'Di', status: UserStatus.Suspended }),
        ],
        usersTable,
      );
    }

    describe('or / not', () => {
      it('matches any branch of an or, ANDed with the filters beside it', async () => {
        const scope = new Scope();
        const [ann, ben, cy] = await fourUsers(scope);
        expect(await userIds(scope, { or: [{ firstName: 'Ann' }, { firstName: 'Ben' }] })).toEqual(
          sortedIds([ann, ben]),
        );
        expect(
          await userIds(scope, {
            status: 'Active',
            or: [{ role: 'Admin' }, { firstName: { like: 'C%' } }],
          }),
        ).toEqual(sortedIds([ann, cy]));
        // Several filters in one branch are ANDed.
        expect(
          await userIds(scope, {
            or: [
              { firstName: 'Ann', status: 'Inactive' },
              { firstName: 'Ben', status: 'Inactive' },
            ],
          }),
        ).toEqual([ben.id]);
        expect(
          await db.adapter.count(
            { ...scope.users(), or: [{ firstName: 'Cy' }, { firstName: 'Di' }] },
            usersTable,
          ),
        ).toBe(2);
      });

      it('negates a filter set with not, nested inside or and around it', async () => {
        const scope = new Scope();
        const [ann, ben, cy, di] = await fourUsers(scope);
        expect(await userIds(scope, { not: { firstName: 'Ann' } })).toEqual(
          sortedIds([ben, cy, di]),
        );
        // not of two filters: not (user AND active).
        expect(await userIds(scope, { not: { role: 'User', status: 'Active' } })).toEqual(
          sortedIds([ann, ben, di]),
        );
        expect(
          await userIds(scope, { not: { or: [{ firstName: 'Ann' }, { firstName: 'Ben' }] } }),
        ).toEqual(sortedIds([cy, di]));
        expect(
          await userIds(scope, {
            or: [{ not: { status: { in: ['Active', 'Inactive'] } } }, { firstName: 'Ann' }],
          }),
        ).toEqual(sortedIds([ann, di]));
        expect(
          await userIds(scope, {
            or: [
              { firstName: 'Cy', or: [{ role: 'Admin' }, { status: 'Active' }] },
              { phone: { isNull: false } },
            ],
          }),
        ).toEqual(sortedIds([ben, cy]));
      });

      it('follows SQL NULL logic: not of a comparison skips rows where the value is null', async () => {
        const scope = new Scope();
        const [, ben] = await fourUsers(scope);
        expect(await userIds(scope, { not: { phone: '+4915100000000' } })).toEqual([ben.id]);
        expect(await userIds(scope, { not: { phone: null } })).toEqual([ben.id]);
      });

      it('matches nothing with an empty or, and simplifies groups that are always true or false', async () => {
        const scope = new Scope();
        const [ann, ben, cy, di] = await fourUsers(scope);
        expect(await userIds(scope, { or: [] })).toEqual([]);
        expect(await db.adapter.count({ ...scope.users(), or: [] }, usersTable)).toBe(0);
        expect(await userIds(scope, { or: [{ firstName: [] }, { firstName: 'Ann' }] })).toEqual([
          ann.id,
        ]);
        expect(await userIds(scope, { not: { firstName: { in: [] } } })).toEqual(
          sortedIds([ann, ben, cy, di]),
        );
        expect(
          await userIds(scope, { or: [{ not: { firstName: [] } }, { firstName: 'Ann' }] }),
        ).toEqual(sortedIds([ann, ben, cy, di]));
        expect(await userIds(scope, { not: { not: { firstName: [] } } })).toEqual([]);
      });

      it('keeps hostile text a value inside groups', async () => {
        const scope = new Scope();
        const hostile = ['a,b)', 'x"y', 'back\\slash', 'or=(id.gt.0', "o'q.(z):w"];
        const created = await db.adapter.createMany(
          hostile.map((lastName) => scope.user({ lastName })),
          usersTable,
        );
        for (const [i, lastName] of hostile.entries()) {
          expect(
            await userIds(scope, { or: [{ lastName }, { lastName: { like: 'nobody' } }] }),
          ).toEqual([created[i].id]);
          expect(
            await userIds(scope, { or: [{ lastName: [lastName, 'n,o)'] }, { firstName: 'Zed' }] }),
          ).toEqual([created[i].id]);
          expect((await userIds(scope, { not: { lastName, firstName: 'Ada' } })).length).toBe(
            hostile.length - 1,
          );
        }
      });

      it('compares timestamps inside groups by the millisecond, as outside them', async () => {
        const scope = new Scope();
        // createMany stamps every row with one instant: equality on it matches all four.
        const [ann, ben, cy, di] = await fourUsers(scope);
        expect(
          await userIds(scope, {
            or: [{ createdAt: ann.createdAt }, { createdAt: { lte: '1970-01-02T00:00:00.000Z' } }],
          }),
        ).toEqual(sortedIds([ann, ben, cy, di]));
        expect(await userIds(scope, { not: { createdAt: ann.createdAt } })).toEqual([]);
        expect(
          await userIds(scope, {
            firstName: ['Ann', 'Ben'],
            not: { createdAt: { gt: ben.createdAt } },
          }),
        ).toEqual(sortedIds([ann, ben]));
      });

      it('caches statements by group shape: groups of different shapes never share a statement', async () => {
        const scope = new Scope();
        const [ann, ben, cy] = await fourUsers(scope);
        expect(await userIds(scope, { or: [{ firstName: 'Ben' }, { firstName: 'Ann' }] })).toEqual(
          sortedIds([ben, ann]),
        );
        expect(
          await userIds(scope, {
            or: [{ firstName: 'Ann' }, { firstName: 'Ben' }, { firstName: 'Cy' }],
          }),
        ).toEqual(sortedIds([ann, ben, cy]));
        expect(await userIds(scope, { or: [{ firstName: 'Cy' }, { firstName: 'Ben' }] })).toEqual(
          sortedIds([ben, cy]),
        );
        expect(
          await userIds(scope, { not: { or: [{ firstName: 'Cy' }, { firstName: 'Ben' }] } }),
        ).not.toContain(cy.id);
      });

      it('agrees with SQL three-valued logic on random nested groups', async () => {
        const scope = new Scope();
        const inputs = FIRST_NAMES.flatMap((firstName, i) =>
          [null, PHONES[i % 2]].map((phone, j) =>
            scope.user({ firstName, phone, emailVerified: (i + j) % 2 === 0 }),
          ),
        );
        const users = await db.adapter.createMany(inputs, usersTable);
        await fc.assert(
          fc.asyncProperty(filterTree(2), async (filters) => {
            const expected = sortedIds(users.filter((u) => truthOf(filters, u) === true));
            expect(await userIds(scope, filters)).toEqual(expected);
          }),
          { numRuns: 40 },
        );
      });

      it('refuses malformed and oversized groups with a ValidationException', async () => {
        const find = (filters: unknown) => () =>
          db.adapter.findMany({ filters: filters as IFilterOptions }, usersTable);
        await expectValidation(find({ or: { firstName: 'Ann' } }), 'or');
        await expectValidation(find({ or: [{}] }), 'or[0]');
        await expectValidation(find({ or: [{ firstName: undefined }] }), 'or[0]');
        await expectValidation(find({ not: {} }), 'not');
        await expectValidation(find({ not: 'x' }), 'not');
        await expectValidation(find({ or: [null] }), 'or[0]');
        await expectValidation(find({ or: [{ nope: 1 }] }), 'nope');
        await expectValidation(find({ not: { passwordHash: 'x' } }), 'passwordHash');
        let deep: Record<string, unknown> = { firstName: 'Ann' };
        for (let i = 0; i < MAX_GROUP_DEPTH + 1; i++) deep = { not: deep };
        await expectValidation(find(deep), 'not.not.not.not.not');
        const wide = Array.from({ length: MAX_GROUP_TERMS + 1 }, (_, i) => ({
          firstName: `n${i}`,
        }));
        await expectValidation(find({ or: wide }), 'or');
        const bigLists = Array.from({ length: 3 }, () => ({
          firstName: Array.from({ length: MAX_GROUP_TERMS / 2 }, (_, i) => `n${i}`),
        }));
        await expectValidation(find({ or: bigLists }), 'or[2]');
      });
    });

    describe('select', () => {
      const keys = (row: object) => Object.keys(row).sort();

      it('reads only the selected properties, decoded as usual', async () => {
        const scope = new Scope();
        const [ann] = await fourUsers(scope);
        const rows = await db.adapter.findMany(
          {
            filters: { ...scope.users(), firstName: 'Ann' },
            select: ['email', 'emailVerified', 'createdAt'],
          },
          usersTable,
        );
        expect(rows).toHaveLength(1);
        expect(keys(rows[0])).toEqual(['createdAt', 'email', 'emailVerified']);
        expect(rows[0]).toMatchObject({
          email: ann.email,
          emailVerified: false,
          createdAt: ann.createdAt,
        });
        const first = await db.adapter.findFirst(
          {
            filters: scope.users(),
            orderBy: { field: 'firstName', direction: 'desc' },
            select: ['firstName'],
          },
          usersTable,
        );
        expect(first).toEqual(expect.objectContaining({ firstName: 'Di' }));
        expect(keys(first!)).toEqual(['firstName']);
      });

      it('selects on offset pages, with the total', async () => {
        const scope = new Scope();
        await fourUsers(scope);
        const page = await db.adapter.findPage(
          {
            filters: scope.users(),
            orderBy: { field: 'firstName' },
            pagination: { page: 2, limit: 3 },
            select: ['id', 'firstName'],
          },
          usersTable,
        );
        expect(page).toMatchObject({ total: 4, page: 2, hasNext: false, hasPrevious: true });
        expect(page.data.map((u) => u.firstName)).toEqual(['Di']);
        expect(keys(page.data[0])).toEqual(['firstName', 'id']);
      });

      it('selects on cursor pages: the order keys are read for the cursor and left out of the rows', async () => {
        const scope = new Scope();
        await fourUsers(scope);
        const names: string[] = [];
        let after: string | null = null;
        for (let n = 0; n < 4; n++) {
          const page = (await db.adapter.findPage(
            {
              filters: scope.users(),
              orderBy: { field: 'firstName', direction: 'desc' },
              pagination: { after, limit: 3 },
              select: ['email'],
            },
            usersTable,
          )) as ICursorPaginatedResult<{ email: string }>;
          for (const row of page.data) expect(keys(row)).toEqual(['email']);
          names.push(...page.data.map((u) => u.email));
          after = page.nextCursor;
          if (!after) break;
        }
        expect(names).toHaveLength(4);
        const all = await db.adapter.findMany(
          { filters: scope.users(), orderBy: { field: 'firstName', direction: 'desc' } },
          usersTable,
        );
        expect(names).toEqual(all.map((u) => u.email));
      });

      it('caches statements by the selected columns', async () => {
        const scope = new Scope();
        await fourUsers(scope);
        const read = (select?: string[]) =>
          db.adapter.findMany(
            { filters: { ...scope.users(), firstName: 'Cy' }, select },
            usersTable,
          );
        expect(keys((await read(['id']))[0])).toEqual(['id']);
        expect(keys((await read(['lastName']))[0])).toEqual(['lastName']);
        expect(keys((await read(['lastName', 'id']))[0])).toEqual(['id', 'lastName']);
        expect((await read())[0]).toMatchObject({ firstName: 'Cy', lastName: 'Lovelace' });
      });

      it('refuses unknown, sensitive and malformed selections with a ValidationException', async () => {
        const find = (select: unknown) => () =>
          db.adapter.findMany({ select: select as string[] }, usersTable);
        await expectValidation(find(['id', 'nope']), 'nope');
        await expectValidation(find(['passwordHash']), 'passwordHash');
        await expectValidation(find([]), 'select');
        await expectValidation(find('id'), 'select');
        await expectValidation(find([1]), 'select[0]');
        await expectValidation(find(['deleted_at']), 'deleted_at');
      });
    });
  });
});
