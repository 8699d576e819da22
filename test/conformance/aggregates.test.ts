import type { IDatabaseAdapter } from '../../src/adapters/database-adapter.interface';
import { defineTable, SAFE_INTEGER_RANGE } from '../../src/schema/table-definition';
import { usersTable } from '../../src/schema/users.table';
import {
  CONFORMANCE_PROVIDERS,
  expectValidation,
  Scope,
  transactional,
  withProvider,
  type RawSql,
} from './conformance-setup';

/** A ledger: amounts in cents that may reach the safe-integer range, so sums pass 2^53. */
const ledgerTable = defineTable({
  name: 'conformance_ledger',
  timestampPrecision: 'ms',
  columns: {
    book: { type: 'string' },
    account: { type: 'string' },
    cents: { type: 'integer', range: SAFE_INTEGER_RANGE },
    fee: { type: 'integer', nullable: true },
    bookedAt: { type: 'timestamp', nullable: true },
    cleared: { type: 'boolean' },
    note: { type: 'json', nullable: true },
  },
});

/** The table as a migration would create it, on the provider's own connection. */
async function createLedgerTable(raw: RawSql): Promise<void> {
  const postgres = raw.dialect === 'postgres';
  const text = postgres ? 'text COLLATE "C"' : 'TEXT';
  const time = postgres ? 'timestamptz(3)' : 'TEXT';
  await raw.run(`CREATE TABLE conformance_ledger (
    id ${postgres ? 'uuid' : 'TEXT'} NOT NULL PRIMARY KEY,
    book ${text} NOT NULL,
    account ${text} NOT NULL,
    cents ${postgres ? 'bigint' : 'INTEGER'} NOT NULL,
    fee ${postgres ? 'integer' : 'INTEGER'},
    booked_at ${time},
    cleared ${postgres ? 'boolean' : 'INTEGER'} NOT NULL,
    note ${postgres ? 'jsonb' : 'TEXT'},
    created_at ${time} NOT NULL,
    updated_at ${time} NOT NULL,
    deleted_at ${time}
  )${postgres ? '' : ' STRICT'}`);
}

const MAX = Number.MAX_SAFE_INTEGER;

/** What a caller may pass where a string goes: quotes, PostgREST grammar, SQL. */
const HOSTILE = [
  "o'hara",
  '"),or(id.gt.0',
  'a,b)',
  "'; DROP TABLE conformance_ledger; --",
  '%_\\',
  'sum-cents',
];

describe.each(CONFORMANCE_PROVIDERS)('aggregates', (provider) => {
  withProvider(provider, (db) => {
    beforeAll(async () => {
      await createLedgerTable(db.raw!);
    });

    /** Writes entries into a book of their own, so each test aggregates only its rows. */
    async function book(
      entries: {
        account: string;
        cents: number;
        fee?: number | null;
        bookedAt?: string | null;
        cleared?: boolean;
      }[],
    ): Promise<string> {
      const name = `book-${new Scope().tag}`;
      await db.adapter.createMany(
        entries.map((e) => ({
          book: name,
          account: e.account,
          cents: e.cents,
          fee: e.fee ?? null,
          bookedAt: e.bookedAt ?? null,
          cleared: e.cleared ?? true,
          note: null,
        })),
        ledgerTable,
      );
      return name;
    }

    it('groups, counts, sums, averages and takes extremes, ordered by the group keys', async () => {
      const name = await book([
        { account: 'eur', cents: 100, fee: 1, bookedAt: '2024-03-01T10:00:00.000Z' },
        { account: 'usd', cents: 250, fee: null, bookedAt: '2024-01-01T00:00:00.123Z' },
        { account: 'eur', cents: 50, fee: 4, bookedAt: null },
        { account: 'usd', cents: 1, fee: null, bookedAt: '2024-02-01T00:00:00.000Z' },
        { account: 'eur', cents: -30, fee: 2, bookedAt: '2023-12-31T23:59:59.999Z' },
      ]);
      const rows = await db.adapter.aggregate(
        {
          filters: { book: name },
          groupBy: ['account'],
          count: true,
          sum: ['cents', 'fee'],
          avg: ['cents', 'fee'],
          min: ['cents', 'bookedAt'],
          max: ['cents', 'bookedAt'],
        },
        ledgerTable,
      );
      expect(rows).toEqual([
        {
          account: 'eur',
          count: 3,
          sum: { cents: '120', fee: '7' },
          avg: { cents: 40, fee: 7 / 3 },
          min: { cents: -30, bookedAt: '2023-12-31T23:59:59.999Z' },
          max: { cents: 100, bookedAt: '2024-03-01T10:00:00.000Z' },
        },
        {
          account: 'usd',
          count: 2,
          sum: { cents: '251', fee: null },
          avg: { cents: 125.5, fee: null },
          min: { cents: 1, bookedAt: '2024-01-01T00:00:00.123Z' },
          max: { cents: 250, bookedAt: '2024-02-01T00:00:00.000Z' },
        },
      ]);
      // The result type follows the request.
      const first: { account: string; count: number; sum: { cents: string | null } } = rows[0];
      expect(first.sum.cents).toBe('120');
    });

    it('sums exactly past 2^53 and past 2^63, negative values included', async () => {
      const name = await book([
        { account: 'a', cents: MAX },
        { account: 'a', cents: MAX },
        { account: 'a', cents: 3 },
        { account: 'b', cents: -MAX },
        { account: 'b', cents: -MAX },
      ]);
      const rows = await db.adapter.aggregate(
        { filters: { book: name }, groupBy: ['account'], sum: ['cents'], avg: ['cents'] },
        ledgerTable,
      );
      const max = BigInt(MAX);
      expect(rows).toEqual([
        {
          account: 'a',
          sum: { cents: (2n * max + 3n).toString() },
          avg: { cents: Number(2n * max + 3n) / 3 },
        },
        { account: 'b', sum: { cents: (-2n * max).toString() }, avg: { cents: -MAX } },
      ]);

      // 1030 values of 2^53 - 1 sum past 2^63, where a 64-bit integer overflows.
      const huge = await book(Array.from({ length: 1030 }, () => ({ account: 'x', cents: MAX })));
      const [total] = await db.adapter.aggregate(
        { filters: { book: huge }, count: true, sum: ['cents'] },
        ledgerTable,
      );
      expect(total).toEqual({ count: 1030, sum: { cents: (1030n * max).toString() } });
      expect(1030n * max > 2n ** 63n).toBe(true);
    });

    it('answers one row of zeros and nulls over no rows, and no row when grouped', async () => {
      const request = {
        filters: { book: `none-${new Scope().tag}` },
        count: true,
        sum: ['cents'],
        avg: ['cents'],
        min: ['bookedAt'],
        max: ['cents'],
      } as const;
      const empty = {
        count: 0,
        sum: { cents: null },
        avg: { cents: null },
        min: { bookedAt: null },
        max: { cents: null },
      };
      expect(await db.adapter.aggregate(request, ledgerTable)).toEqual([empty]);
      expect(await db.adapter.aggregate({ ...request, groupBy: ['account'] }, ledgerTable)).toEqual(
        [],
      );
      // An empty IN list matches nothing: the same answers.
      const never = { ...request, filters: { account: { in: [] } } };
      expect(await db.adapter.aggregate(never, ledgerTable)).toEqual([empty]);
      expect(await db.adapter.aggregate({ ...never, groupBy: ['account'] }, ledgerTable)).toEqual(
        [],
      );
    });

    it('makes null a group of its own, last, and groups by several keys and booleans', async () => {
      const name = await book([
        { account: 'b', cents: 1, fee: null, cleared: false },
        { account: 'a', cents: 2, fee: 5, cleared: true },
        { account: 'a', cents: 3, fee: null, cleared: true },
        { account: 'a', cents: 4, fee: 5, cleared: false },
      ]);
      const byFee = await db.adapter.aggregate(
        { filters: { book: name }, groupBy: ['fee'], count: true },
        ledgerTable,
      );
      expect(byFee).toEqual([
        { fee: 5, count: 2 },
        { fee: null, count: 2 },
      ]);
      const byTwo = await db.adapter.aggregate(
        { filters: { book: name }, groupBy: ['account', 'cleared'], sum: ['cents'] },
        ledgerTable,
      );
      expect(byTwo).toEqual([
        { account: 'a', cleared: false, sum: { cents: '4' } },
        { account: 'a', cleared: true, sum: { cents: '5' } },
        { account: 'b', cleared: false, sum: { cents: '1' } },
      ]);
    });

    it('answers the distinct groups when only groupBy is given', async () => {
      const name = await book([
        { account: 'b', cents: 1 },
        { account: 'a', cents: 2 },
        { account: 'b', cents: 3 },
      ]);
      expect(
        await db.adapter.aggregate({ filters: { book: name }, groupBy: ['account'] }, ledgerTable),
      ).toEqual([{ account: 'a' }, { account: 'b' }]);
    });

    it('leaves soft-deleted rows out unless includeDeleted', async () => {
      const name = await book([
        { account: 'a', cents: 10 },
        { account: 'a', cents: 20 },
      ]);
      const [gone] = await db.adapter.findMany({ filters: { book: name, cents: 20 } }, ledgerTable);
      await db.adapter.softDelete(gone.id, ledgerTable);
      const request = { filters: { book: name }, count: true, sum: ['cents'] } as const;
      expect(await db.adapter.aggregate(request, ledgerTable)).toEqual([
        { count: 1, sum: { cents: '10' } },
      ]);
      expect(await db.adapter.aggregate({ ...request, includeDeleted: true }, ledgerTable)).toEqual(
        [{ count: 2, sum: { cents: '30' } }],
      );
    });

    it('keeps hostile strings values, as filters and as group keys', async () => {
      const name = await book(HOSTILE.map((account, i) => ({ account, cents: i + 1 })));
      const rows = await db.adapter.aggregate(
        { filters: { book: name }, groupBy: ['account'], count: true },
        ledgerTable,
      );
      expect(rows.map((r) => r.account)).toEqual(
        [...HOSTILE].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      );
      for (const [i, account] of HOSTILE.entries()) {
        const [row] = await db.adapter.aggregate(
          { filters: { book: name, account }, sum: ['cents'] },
          ledgerTable,
        );
        expect(row).toEqual({ sum: { cents: String(i + 1) } });
      }
      expect(await db.adapter.count({ book: name }, ledgerTable)).toBe(HOSTILE.length);
    });

    it(
      'sees the rows of its transaction',
      transactional(db, async () => {
        const name = `book-${new Scope().tag}`;
        await db.adapter.transaction(async () => {
          await db.adapter.create(
            { book: name, account: 'a', cents: 7, cleared: true, note: null },
            ledgerTable,
          );
          expect(
            await db.adapter.aggregate({ filters: { book: name }, sum: ['cents'] }, ledgerTable),
          ).toEqual([{ sum: { cents: '7' } }]);
        });
      }),
    );

    it('takes every filter a read takes, search included', async () => {
      const scope = new Scope();
      await db.adapter.createMany(
        [
          scope.user({ lastName: 'Quixotic' }),
          scope.user({ lastName: 'Quixote' }),
          scope.user({ lastName: 'Panza' }),
        ],
        usersTable,
      );
      const filters = { ...scope.users(), search: 'quixot' };
      const [row] = await db.adapter.aggregate({ filters, count: true }, usersTable);
      expect(row).toEqual({ count: await db.adapter.count(filters, usersTable) });
      expect(row.count).toBe(2);
    });

    it('refuses what it cannot compute, naming the field', async () => {
      const adapter: IDatabaseAdapter = db.adapter;
      const untyped = (options: Record<string, unknown>) =>
        adapter.aggregate(options as never, ledgerTable);
      await expectValidation(() => untyped({ sum: ['account'] }), 'account');
      await expectValidation(() => untyped({ avg: ['cleared'] }), 'cleared');
      await expectValidation(() => untyped({ min: ['account'] }), 'account');
      await expectValidation(() => untyped({ groupBy: ['note'] }), 'note');
      await expectValidation(() => untyped({ groupBy: ['nope'] }), 'nope');
      await expectValidation(
        () => untyped({ sum: ['cents; DROP TABLE x'] }),
        'cents; DROP TABLE x',
      );
      await expectValidation(() => untyped({ sum: 'cents' }), 'sum');
      await expectValidation(() => untyped({ count: 'yes' }), 'count');
      await expectValidation(() => untyped({}), 'options');
      await expectValidation(
        () => untyped({ count: true, orderBy: { field: 'cents' } }),
        'orderBy',
      );
      await expectValidation(() => untyped({ count: true, filters: { nope: 1 } }), 'nope');
      // A sensitive column is neither filtered on nor aggregated.
      await expectValidation(
        () => adapter.aggregate({ groupBy: ['passwordHash'] } as never, usersTable),
        'passwordHash',
      );
      expect(adapter.capabilities.aggregates).toBe(true);
    });
  });
});
