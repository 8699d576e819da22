import { ValidationException } from '../../src/exceptions';
import { PaymentRepository, UserRepository } from '../../src/repositories';
import { usersTable } from '../../src/schema';
import { defineTable, type EntityOf } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  ISO_UTC_MILLIS,
  Scope,
  caught,
  expectValidation,
  sleep,
  sortedIds,
  transactional,
  withProvider,
  type RawSql,
} from './conformance-setup';

const HOSTILE = "'; DROP TABLE users; --";

/** A versioned table of the file's own: the library's tables are not versioned. */
const ticketsTable = defineTable({
  name: 'conformance_bulk_tickets',
  versioned: true,
  timestampPrecision: 'ms',
  columns: {
    code: { type: 'string', unique: true },
    state: { type: 'string' },
  },
});
type Ticket = EntityOf<typeof ticketsTable>;

async function createTicketsTable(raw: RawSql): Promise<void> {
  const postgres = raw.dialect === 'postgres';
  const text = postgres ? 'text COLLATE "C"' : 'TEXT';
  const time = postgres ? 'timestamptz(3)' : 'TEXT';
  await raw.run(`CREATE TABLE conformance_bulk_tickets (
    id ${postgres ? 'uuid' : 'TEXT'} NOT NULL PRIMARY KEY,
    code ${text} NOT NULL,
    state ${text} NOT NULL,
    created_at ${time} NOT NULL,
    updated_at ${time} NOT NULL,
    deleted_at ${time},
    version INTEGER NOT NULL DEFAULT 1
  )${postgres ? '' : ' STRICT'}`);
  await raw.run(
    'CREATE UNIQUE INDEX conformance_bulk_tickets_code_key ON conformance_bulk_tickets (code) WHERE deleted_at IS NULL',
  );
}

describe.each(CONFORMANCE_PROVIDERS)('bulk writes', (provider) => {
  withProvider(provider, (db) => {
    beforeAll(async () => {
      await createTicketsTable(db.raw!);
    });

    it('updateMany changes the matching live rows in one call, bumps updatedAt, returns the count', async () => {
      const scope = new Scope();
      const [a, b, c, gone] = await db.adapter.createMany(
        [
          scope.user({ firstName: 'Bulk' }),
          scope.user({ firstName: 'Bulk' }),
          scope.user({ firstName: 'Other' }),
          scope.user({ firstName: 'Bulk' }),
        ],
        usersTable,
      );
      await db.adapter.softDelete(gone.id, usersTable);
      await sleep(2);
      const changed = await db.adapter.updateMany(
        { ...scope.users(), firstName: 'Bulk' },
        { lastName: 'Changed' },
        usersTable,
      );
      expect(changed).toBe(2);
      const rows = await db.adapter.findMany(
        { filters: scope.users(), includeDeleted: true },
        usersTable,
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      for (const row of [a, b]) {
        expect(byId.get(row.id)!.lastName).toBe('Changed');
        expect(byId.get(row.id)!.updatedAt).toMatch(ISO_UTC_MILLIS);
        expect(byId.get(row.id)!.updatedAt > row.updatedAt).toBe(true);
      }
      expect(byId.get(c.id)!.lastName).toBe('Lovelace');
      expect(byId.get(gone.id)!.lastName).toBe('Lovelace');
    });

    it('refuses an empty filter unless { all: true }, before anything is written', async () => {
      const before = await db.adapter.count(undefined, ticketsTable);
      // A rejected promise, never a synchronous throw.
      await expect(db.adapter.updateMany({}, {}, ticketsTable)).rejects.toBeInstanceOf(
        ValidationException,
      );
      await expect(db.adapter.softDeleteMany({}, ticketsTable)).rejects.toBeInstanceOf(
        ValidationException,
      );
      for (const filters of [undefined, {}, { state: undefined }, { search: '' }]) {
        await expectValidation(
          () => db.adapter.updateMany(filters, { state: 'x' }, ticketsTable),
          'filters',
        );
        await expectValidation(() => db.adapter.softDeleteMany(filters, ticketsTable), 'filters');
        await expectValidation(() => db.adapter.restoreMany(filters, ticketsTable), 'filters');
        await expectValidation(() => db.adapter.deleteMany(filters, ticketsTable), 'filters');
      }
      await expectValidation(
        () => db.adapter.updateMany({}, { state: 'x' }, ticketsTable, { all: 'yes' as never }),
        'all',
      );
      const scope = new Scope();
      await db.adapter.createMany([{ code: `t-${scope.tag}-1`, state: 'open' }], ticketsTable);
      const total = before + 1;
      expect(await db.adapter.softDeleteMany(undefined, ticketsTable, { all: true })).toBe(total);
      expect(await db.adapter.count(undefined, ticketsTable)).toBe(0);
      expect(await db.adapter.restoreMany({}, ticketsTable, { all: true })).toBe(total);
      expect(await db.adapter.count(undefined, ticketsTable)).toBe(total);
    });

    it('bumps the version of every row it changes on a versioned table', async () => {
      const scope = new Scope();
      const codes = [1, 2, 3].map((n) => `v-${scope.tag}-${n}`);
      await db.adapter.createMany(
        codes.map((code) => ({ code, state: 'open' })),
        ticketsTable,
      );
      const mine = { code: { in: codes } };
      expect(await db.adapter.updateMany(mine, { state: 'closed' }, ticketsTable)).toBe(3);
      expect(await db.adapter.softDeleteMany({ code: codes[0] }, ticketsTable)).toBe(1);
      expect(await db.adapter.restoreMany({ code: codes[0] }, ticketsTable)).toBe(1);
      const rows = await db.adapter.findMany({ filters: mine }, ticketsTable);
      const versions = new Map(rows.map((r: Ticket) => [r.code, r.version]));
      expect(versions).toEqual(
        new Map([
          [codes[0], 4],
          [codes[1], 2],
          [codes[2], 2],
        ]),
      );
      expect(rows.every((r) => r.state === 'closed')).toBe(true);
    });

    it('validates updateMany data like update, before anything is sent', async () => {
      const scope = new Scope();
      await db.adapter.create(scope.user(), usersTable);
      await caught(() =>
        db.adapter.updateMany(scope.users(), { nope: 1 } as never, usersTable),
      ).then((error) => expect(error).toBeInstanceOf(ValidationException));
      await caught(() =>
        db.adapter.updateMany(scope.users(), { email: 42 } as never, usersTable),
      ).then((error) => expect(error).toBeInstanceOf(ValidationException));
      await expectValidation(
        () => db.adapter.updateMany({ nope: 1 }, { firstName: 'x' }, usersTable),
        'nope',
      );
      expect((await db.adapter.findMany({ filters: scope.users() }, usersTable))[0].firstName).toBe(
        'Ada',
      );
    });

    it('softDeleteMany touches live rows only, restoreMany deleted ones only', async () => {
      const scope = new Scope();
      const [a, b, c] = await db.adapter.createMany(
        [scope.user(), scope.user(), scope.user()],
        usersTable,
      );
      await db.adapter.softDelete(c.id, usersTable);
      expect(await db.adapter.softDeleteMany(scope.users(), usersTable)).toBe(2);
      expect(await db.adapter.softDeleteMany(scope.users(), usersTable)).toBe(0);
      expect(await db.adapter.count(scope.users(), usersTable)).toBe(0);
      expect(await db.adapter.restoreMany({ ...scope.users(), id: [a.id, c.id] }, usersTable)).toBe(
        2,
      );
      expect(await db.adapter.restoreMany({ ...scope.users(), id: [a.id, c.id] }, usersTable)).toBe(
        0,
      );
      expect(sortedIds(await db.adapter.findMany({ filters: scope.users() }, usersTable))).toEqual(
        sortedIds([a, c]),
      );
      const deleted = await db.adapter.findById(b.id, usersTable, { includeDeleted: true });
      expect(deleted?.deletedAt).toMatch(ISO_UTC_MILLIS);
    });

    it('deleteMany removes live rows for good, and soft-deleted ones too with includeDeleted', async () => {
      const scope = new Scope();
      const [a, b, c] = await db.adapter.createMany(
        [scope.user(), scope.user(), scope.user()],
        usersTable,
      );
      await db.adapter.softDelete(c.id, usersTable);
      expect(await db.adapter.deleteMany({ ...scope.users(), id: a.id }, usersTable)).toBe(1);
      expect(await db.adapter.findById(a.id, usersTable, { includeDeleted: true })).toBeNull();
      expect(await db.adapter.deleteMany(scope.users(), usersTable)).toBe(1);
      expect(await db.adapter.findById(c.id, usersTable, { includeDeleted: true })).not.toBeNull();
      expect(await db.adapter.deleteMany(scope.users(), usersTable, { includeDeleted: true })).toBe(
        1,
      );
      expect(await db.adapter.count(scope.users(), usersTable, { includeDeleted: true })).toBe(0);
      expect(b.id).toBeDefined();
    });

    it('keeps hostile values values, and sends nothing for an empty IN list', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      expect(
        await db.adapter.updateMany({ firstName: HOSTILE }, { lastName: 'x' }, usersTable),
      ).toBe(0);
      expect(
        await db.adapter.updateMany({ ...scope.users(), id: [] }, { lastName: 'x' }, usersTable),
      ).toBe(0);
      expect(await db.adapter.deleteMany({ lastName: { like: `%${HOSTILE}` } }, usersTable)).toBe(
        0,
      );
      expect(await db.adapter.updateMany(scope.users(), { lastName: HOSTILE }, usersTable)).toBe(1);
      expect((await db.adapter.findById(user.id, usersTable))!.lastName).toBe(HOSTILE);
      expect(await db.adapter.count({ lastName: HOSTILE, ...scope.users() }, usersTable)).toBe(1);
    });

    it(
      'a bulk write inside a transaction that rolls back leaves nothing',
      transactional(db, async () => {
        const scope = new Scope();
        await db.adapter.createMany([scope.user(), scope.user()], usersTable);
        await caught(() =>
          db.adapter.transaction(async () => {
            expect(await db.adapter.softDeleteMany(scope.users(), usersTable)).toBe(2);
            throw new Error('roll back');
          }),
        );
        expect(await db.adapter.count(scope.users(), usersTable)).toBe(2);
      }),
    );

    it('through a repository: data validated by the entity rules, then one bulk write', async () => {
      const scope = new Scope();
      const users = new UserRepository(db.adapter);
      const payments = new PaymentRepository(db.adapter);
      const user = await users.create(scope.user());
      const bad = await caught(() =>
        users.updateMany(scope.users(), { firstName: 'x'.repeat(101) }),
      );
      expect(bad).toBeInstanceOf(ValidationException);
      expect(await users.updateMany(scope.users(), { firstName: 'Grace' })).toBe(1);
      const [created] = await payments.upsertMany([scope.payment(user.id)], {
        conflictField: 'stripePaymentIntentId',
        onConflict: 'update',
      });
      expect(created.created).toBe(true);
      const badRow = await caught(() =>
        payments.upsertMany([scope.payment(user.id), scope.payment(user.id, { amount: -1 })], {
          conflictField: 'stripePaymentIntentId',
          onConflict: 'update',
        }),
      );
      expect(badRow).toBeInstanceOf(ValidationException);
      expect(await payments.softDeleteMany({ userId: user.id })).toBe(1);
      expect(await payments.restoreMany({ userId: user.id })).toBe(1);
      expect(await payments.deleteMany({ userId: user.id })).toBe(1);
      expect(await users.deleteMany(scope.users())).toBe(1);
    });
  });
});
