/**
 * Timestamps written by another program (plain SQL, another service, a column default): whatever
 * precision or offset the writer used, the value the library returns is in its one form and works
 * as a filter and as a cursor on every provider.
 */
import type {
  IFilterOptions,
  IOrderByOptions,
} from '../../src/adapters/database-adapter.interface';
import type { IUserEntity } from '../../src/entities/user.entity';
import { UserStatus } from '../../src/entities/user.entity';
import { usersTable } from '../../src/schema';
import { walkCursor } from '../support/cursor-walk';
import {
  CONFORMANCE_PROVIDERS,
  ISO_UTC_MILLIS,
  Scope,
  expectValidation,
  ids,
  sortRows,
  sortedIds,
  withProvider,
  type RawSql,
} from './conformance-setup';

/** What an outside writer stores, per dialect, and what the library must then return. */
interface OutsideWrite {
  sql: Record<RawSql['dialect'], string>;
  /** The returned value, when it does not depend on the clock. */
  returns?: string;
}

// Both engines round outside writes to the nearest millisecond; they differ only from .9995 on
// (PostgreSQL carries into the next second, SQLite stays at .999) and at exact halves. The
// sub-millisecond digits here are below half a millisecond, so every provider returns one value.
const OUTSIDE_WRITES: Record<string, OutsideWrite> = {
  "the database's clock": {
    sql: { postgres: 'now()', sqlite: 'CURRENT_TIMESTAMP' },
  },
  microseconds: {
    sql: {
      postgres: "'2024-05-01 12:00:00.123456+00'",
      sqlite: "'2024-05-01T12:00:00.123456Z'",
    },
    returns: '2024-05-01T12:00:00.123Z',
  },
  'a UTC offset and microseconds': {
    sql: {
      postgres: "'2024-05-01 14:00:00.987321+02'",
      sqlite: "'2024-05-01 14:00:00.987321+02:00'",
    },
    returns: '2024-05-01T12:00:00.987Z',
  },
};

describe.each(CONFORMANCE_PROVIDERS)('timestamps written outside the library', (provider) => {
  withProvider(provider, (db) => {
    /** The raw connection; every provider of the list has one (the suite fails otherwise). */
    function raw(): RawSql {
      const connection = db.raw;
      if (!connection) throw new Error(`${provider.name} has no raw connection for outside writes`);
      return connection;
    }

    /** Creates `count` users, then sets their createdAt with one outside UPDATE. */
    async function usersWrittenOutside(
      scope: Scope,
      count: number,
      write: OutsideWrite,
      overrides: (i: number) => Partial<IUserEntity> = () => ({}),
    ): Promise<IUserEntity[]> {
      await db.adapter.createMany(
        Array.from({ length: count }, (_, i) => scope.user(overrides(i))),
        usersTable,
      );
      await raw().run(
        `UPDATE users SET created_at = ${write.sql[raw().dialect]} WHERE email LIKE ?`,
        [`%.${scope.tag}@conf.test`],
      );
      return db.adapter.findMany({ filters: scope.users() }, usersTable);
    }

    async function matching(filters: Record<string, unknown>): Promise<string[]> {
      return sortedIds(
        await db.adapter.findMany({ filters: filters as IFilterOptions }, usersTable),
      );
    }

    /** Every row of the scope, walked with cursors `limit` at a time. */
    async function walk(
      scope: Scope,
      orderBy: IOrderByOptions[],
      limit: number,
    ): Promise<IUserEntity[]> {
      const walked = await walkCursor(
        (pagination) =>
          db.adapter.findPage({ filters: scope.users(), orderBy, pagination }, usersTable),
        limit,
        20,
      );
      return walked.rows;
    }

    it.each(Object.entries(OUTSIDE_WRITES))(
      'returns a createdAt written with %s in the library form, usable as every filter',
      async (_label, write) => {
        const scope = new Scope();
        const rows = await usersWrittenOutside(scope, 3, write);
        const all = sortedIds(rows);
        const createdAt = rows[0].createdAt;
        expect(createdAt).toMatch(ISO_UTC_MILLIS);
        if (write.returns) expect(createdAt).toBe(write.returns);
        expect(rows.map((r) => r.createdAt)).toEqual([createdAt, createdAt, createdAt]);
        const own = scope.users();

        expect(await matching({ ...own, createdAfter: createdAt })).toEqual([]);
        expect(await matching({ ...own, createdBefore: createdAt })).toEqual([]);
        expect(await matching({ ...own, createdAt })).toEqual(all);
        expect(await matching({ ...own, createdAt: { eq: createdAt } })).toEqual(all);
        expect(await matching({ ...own, createdAt: { neq: createdAt } })).toEqual([]);
        expect(await matching({ ...own, createdAt: { in: [createdAt] } })).toEqual(all);
        expect(await matching({ ...own, createdAt: { gte: createdAt, lte: createdAt } })).toEqual(
          all,
        );
        expect(await matching({ ...own, createdAt: { gt: createdAt } })).toEqual([]);
        expect(await matching({ ...own, createdAt: { lt: createdAt } })).toEqual([]);
        expect(await db.adapter.count({ ...own, createdAt }, usersTable)).toBe(3);
      },
    );

    it.each(Object.entries(OUTSIDE_WRITES))(
      'walks rows sharing a createdAt written with %s exactly once with cursors, in order',
      async (_label, write) => {
        const scope = new Scope();
        const statuses = [UserStatus.Active, UserStatus.Inactive];
        const rows = await usersWrittenOutside(scope, 7, write, (i) => ({
          status: statuses[i % 2],
        }));
        const orders: IOrderByOptions[][] = [
          [{ field: 'createdAt' }],
          [{ field: 'createdAt', direction: 'desc' }],
          [{ field: 'status' }, { field: 'createdAt', direction: 'desc' }],
          [
            { field: 'createdAt', direction: 'desc' },
            { field: 'id', direction: 'desc' },
          ],
        ];
        for (const orderBy of orders) {
          for (const limit of [1, 3]) {
            expect(ids(await walk(scope, orderBy, limit))).toEqual(ids(sortRows(rows, orderBy)));
          }
        }
      },
    );

    it('returns rows inserted with the database’s own timestamps, usable as filters', async () => {
      const scope = new Scope();
      const id = '6f1c2b7e-3a54-4d8e-9b21-0c4d5e6f7a8b';
      const email = scope.email();
      // Postgres fills created_at and updated_at from their DEFAULT now(); SQLite tables have no
      // default, so an outside writer would use CURRENT_TIMESTAMP.
      await raw().run(
        raw().dialect === 'postgres'
          ? 'INSERT INTO users (id, email, first_name, last_name) VALUES (?, ?, ?, ?)'
          : `INSERT INTO users (id, email, first_name, last_name, created_at, updated_at)
             VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)`,
        [id, email, 'Outside', 'Writer'],
      );
      const row = await db.adapter.findById(id, usersTable);
      expect(row?.createdAt).toMatch(ISO_UTC_MILLIS);
      expect(row?.updatedAt).toBe(row?.createdAt);
      const own = scope.users();
      expect(await matching({ ...own, createdAt: row!.createdAt })).toEqual([id]);
      expect(await matching({ ...own, createdAfter: row!.createdAt })).toEqual([]);
      expect(await matching({ ...own, updatedAt: { lte: row!.updatedAt } })).toEqual([id]);

      const updated = await db.adapter.update(id, { firstName: 'Inside' }, usersTable);
      expect(updated.createdAt).toBe(row!.createdAt);
      expect(await matching({ ...own, updatedAt: updated.updatedAt })).toEqual([id]);
    });

    it.each([
      ['infinity', "'infinity'", "'infinity'"],
      ['-infinity', "'-infinity'", "'-infinity'"],
      ['a year past 9999', "'10000-01-01 00:00:00+00'", "'10000-01-01T00:00:00.000Z'"],
    ])(
      'refuses an outside write of %s into a timestamp column, naming it',
      async (_label, postgres, sqlite) => {
        const scope = new Scope();
        const user = await db.adapter.create(scope.user(), usersTable);
        const value = raw().dialect === 'postgres' ? postgres : sqlite;
        await expect(
          raw().run(`UPDATE users SET last_login = ${value} WHERE id = ?`, [user.id]),
        ).rejects.toThrow(/last_login/);
        expect((await db.adapter.findById(user.id, usersTable))?.lastLogin).toBeNull();
      },
    );

    it('refuses text that is no date in a timestamp column, written outside the library', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      await expect(
        raw().run('UPDATE users SET last_login = ? WHERE id = ?', ['not a date', user.id]),
      ).rejects.toThrow();
      expect((await db.adapter.findById(user.id, usersTable))?.lastLogin).toBeNull();
    });

    it('refuses timestamps outside the years 1 to 9999, naming the field', async () => {
      const scope = new Scope();
      for (const lastLogin of ['0000-12-31T23:59:59.999Z', new Date(Date.UTC(10000, 0, 1))]) {
        await expectValidation(
          () => db.adapter.create(scope.user({ lastLogin: lastLogin as string }), usersTable),
          'lastLogin',
        );
        await expectValidation(
          () => db.adapter.findMany({ filters: { lastLogin: { lt: lastLogin } } }, usersTable),
          'lastLogin',
        );
      }
      const edges = ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'];
      for (const lastLogin of edges) {
        const user = await db.adapter.create(scope.user({ lastLogin }), usersTable);
        expect((await db.adapter.findById(user.id, usersTable))?.lastLogin).toBe(lastLogin);
        expect(await matching({ ...scope.users(), lastLogin })).toEqual([user.id]);
      }
    });
  });
});
