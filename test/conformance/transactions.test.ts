import {
  TransactionException,
  UniqueConstraintException,
  ValidationException,
} from '../../src/exceptions';
import { PaymentRepository, UserRepository } from '../../src/repositories';
import { paymentsTable, usersTable } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  caught,
  sleep,
  sortedIds,
  signal,
  transactional,
  withProvider,
} from './conformance-setup';

describe.each(CONFORMANCE_PROVIDERS)('transactions', (provider) => {
  withProvider(provider, (db) => {
    it(
      'commits every write of a transaction and returns its result',
      transactional(db, async () => {
        const scope = new Scope();
        const result = await db.adapter.transaction(async () => {
          const user = await db.adapter.create(scope.user(), usersTable);
          const payment = await db.adapter.create(scope.payment(user.id), paymentsTable);
          return { user, payment };
        });
        expect(await db.adapter.findById(result.user.id, usersTable)).toEqual(result.user);
        expect(await db.adapter.findById(result.payment.id, paymentsTable)).toEqual(result.payment);
      }),
    );

    it(
      'rolls back everything when the work throws, and rethrows the same error',
      transactional(db, async () => {
        const scope = new Scope();
        const existing = await db.adapter.create(scope.user({ firstName: 'Before' }), usersTable);
        const other = await db.adapter.create(scope.user(), usersTable);
        const boom = new Error('boom');
        let createdId = '';
        const error = await caught(() =>
          db.adapter.transaction(async () => {
            const user = await db.adapter.create(scope.user(), usersTable);
            createdId = user.id;
            await db.adapter.create(scope.payment(user.id), paymentsTable);
            await db.adapter.update(existing.id, { firstName: 'After' }, usersTable);
            await db.adapter.softDelete(other.id, usersTable);
            expect(await db.adapter.findById(user.id, usersTable)).toEqual(user);
            throw boom;
          }),
        );
        expect(error).toBe(boom);
        expect(
          await db.adapter.findById(createdId, usersTable, { includeDeleted: true }),
        ).toBeNull();
        expect(await db.adapter.count({ userId: createdId }, paymentsTable)).toBe(0);
        expect((await db.adapter.findById(existing.id, usersTable))?.firstName).toBe('Before');
        expect(await db.adapter.findById(other.id, usersTable)).toEqual(other);
      }),
    );

    it(
      'lets repository calls inside a transaction join it without a handle',
      transactional(db, async () => {
        const scope = new Scope();
        const users = new UserRepository(db.adapter);
        const payments = new PaymentRepository(db.adapter);
        let userId = '';
        const error = await caught(() =>
          users.transaction(async () => {
            const user = await users.create(scope.user());
            userId = user.id;
            await payments.create(scope.payment(user.id));
            expect(await users.findByEmail(user.email)).toEqual(user);
            expect(await payments.count({ userId })).toBe(1);
            throw new Error('undo');
          }),
        );
        expect((error as Error).message).toBe('undo');
        expect(await users.findById(userId)).toBeNull();
        expect(await payments.count({ userId })).toBe(0);

        const kept = await db.adapter.transaction(async () => {
          const user = await users.create(scope.user());
          await payments.create(scope.payment(user.id));
          return user;
        });
        expect(await payments.count({ userId: kept.id })).toBe(1);
      }),
    );

    it(
      'makes a nested transaction a savepoint: an inner throw caught by the outer undoes only the inner',
      transactional(db, async () => {
        const scope = new Scope();
        const nested = async (): Promise<string> => {
          const inner = await db.adapter.transaction(async () => {
            const user = await db.adapter.create(scope.user({ firstName: 'Inner' }), usersTable);
            throw Object.assign(new Error('inner'), { userId: user.id });
          });
          return inner;
        };
        if (!db.adapter.capabilities.savepoints) {
          const error = await caught(() => db.adapter.transaction(nested));
          expect(error).toBeInstanceOf(TransactionException);
          return;
        }
        let innerId = '';
        const outer = await db.adapter.transaction(async () => {
          const before = await db.adapter.create(scope.user({ firstName: 'Before' }), usersTable);
          const error = await caught(nested);
          innerId = (error as { userId: string }).userId;
          expect(await db.adapter.findById(innerId, usersTable)).toBeNull();
          const after = await db.adapter.create(scope.user({ firstName: 'After' }), usersTable);
          const committed = await db.adapter.transaction(async () =>
            db.adapter.create(scope.user({ firstName: 'Kept' }), usersTable),
          );
          return [before, after, committed];
        });
        expect(
          sortedIds(await db.adapter.findMany({ filters: scope.users() }, usersTable)),
        ).toEqual(sortedIds(outer));
        expect(await db.adapter.findById(innerId, usersTable, { includeDeleted: true })).toBeNull();
      }),
    );

    it(
      'commits and rolls back transactions opened with beginTransaction',
      transactional(db, async () => {
        const scope = new Scope();
        const committed = await db.adapter.beginTransaction();
        const kept = await db.adapter.create(scope.user(), usersTable);
        await db.adapter.commitTransaction(committed);
        expect(await db.adapter.findById(kept.id, usersTable)).toEqual(kept);

        const rolledBack = await db.adapter.beginTransaction();
        const dropped = await db.adapter.create(scope.user(), usersTable);
        expect(await db.adapter.findById(dropped.id, usersTable)).toEqual(dropped);
        await db.adapter.rollbackTransaction(rolledBack);
        expect(await db.adapter.findById(dropped.id, usersTable)).toBeNull();

        await db.adapter.beginTransaction();
        const joined = await db.adapter.create(scope.user(), usersTable);
        await db.adapter.rollbackTransaction();
        expect(await db.adapter.findById(joined.id, usersTable)).toBeNull();

        expect(await caught(() => db.adapter.commitTransaction(committed))).toBeInstanceOf(
          TransactionException,
        );
        expect(await caught(() => db.adapter.rollbackTransaction())).toBeInstanceOf(
          TransactionException,
        );
        expect(await db.adapter.count(scope.users(), usersTable)).toBe(1);
      }),
    );

    it(
      'keeps exactly the rows of the successful ones among many concurrent transactions',
      transactional(db, async () => {
        const scope = new Scope();
        const outcomes = await Promise.allSettled(
          Array.from({ length: 12 }, (_, i) =>
            db.adapter.transaction(async () => {
              const user = await db.adapter.create(scope.user({ firstName: `T${i}` }), usersTable);
              await sleep(i % 4);
              await db.adapter.create(scope.payment(user.id), paymentsTable);
              if (i % 3 === 0) throw new Error(`fail ${i}`);
              return user;
            }),
          ),
        );
        const succeeded = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
        expect(succeeded).toHaveLength(8);
        expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(4);
        const stored = await db.adapter.findMany({ filters: scope.users() }, usersTable);
        expect(sortedIds(stored)).toEqual(sortedIds(succeeded));
        expect(stored.map((u) => u.firstName).sort()).toEqual(
          ['T1', 'T2', 'T4', 'T5', 'T7', 'T8', 'T10', 'T11'].sort(),
        );
        const payments = await db.adapter.count({ userId: stored.map((u) => u.id) }, paymentsTable);
        expect(payments).toBe(8);
      }),
    );

    it(
      'never runs a statement of another async flow inside an open transaction',
      transactional(db, async () => {
        const scope = new Scope();
        const xCreated = signal();
        const release = signal();
        let xId = '';
        const a = db.adapter.transaction(async () => {
          const x = await db.adapter.create(scope.user({ firstName: 'X' }), usersTable);
          xId = x.id;
          xCreated.fire();
          await release.promise;
          throw new Error('A fails');
        });
        await xCreated.promise;
        // Outside A: these must neither join A nor be undone with it (they may wait for it).
        const y = db.adapter.create(scope.user({ firstName: 'Y' }), usersTable);
        const seenFromOutside = db.adapter.findById(xId, usersTable);
        await sleep(20);
        release.fire();
        expect(((await caught(() => a)) as Error).message).toBe('A fails');
        const yRow = await y;
        expect(await seenFromOutside).toBeNull();
        expect(await db.adapter.findById(yRow.id, usersTable)).toEqual(yRow);
        expect(await db.adapter.findById(xId, usersTable, { includeDeleted: true })).toBeNull();
      }),
    );

    it('inserts all rows of createMany or none', async () => {
      const scope = new Scope();
      const taken = await db.adapter.create(scope.user(), usersTable);
      const duplicate = await caught(() =>
        db.adapter.createMany(
          [scope.user(), scope.user(), scope.user({ email: taken.email }), scope.user()],
          usersTable,
        ),
      );
      expect(duplicate).toBeInstanceOf(UniqueConstraintException);
      const sameEmail = scope.email();
      const withinBatch = await caught(() =>
        db.adapter.createMany(
          [scope.user({ email: sameEmail }), scope.user({ email: sameEmail })],
          usersTable,
        ),
      );
      expect(withinBatch).toBeInstanceOf(UniqueConstraintException);
      const invalid = await caught(() =>
        db.adapter.createMany(
          [scope.user(), { ...scope.user(), emailVerified: 'no' as unknown as boolean }],
          usersTable,
        ),
      );
      expect(invalid).toBeInstanceOf(ValidationException);
      expect(await db.adapter.count(scope.users(), usersTable)).toBe(1);
    });

    it('inserts a createMany larger than one statement holds in input order, all rows or none', async () => {
      const scope = new Scope();
      // More rows than one multi-row INSERT takes (1,024), and a remainder that is not a power of 2.
      const input = Array.from({ length: 2_311 }, () => scope.user());
      const created = await db.adapter.createMany(input, usersTable);
      expect(created.map((u) => u.email)).toEqual(input.map((u) => u.email));
      const stored = await db.adapter.findMany(
        { filters: scope.users(), orderBy: { field: 'email' } },
        usersTable,
      );
      const byEmail = [...created].sort((a, b) => (a.email < b.email ? -1 : 1));
      expect(stored).toEqual(byEmail);
      const taken = created[0].email;
      const failing = Array.from({ length: 2_311 }, () => scope.user());
      failing[2_310] = scope.user({ email: taken });
      const duplicate = await caught(() => db.adapter.createMany(failing, usersTable));
      expect(duplicate).toBeInstanceOf(UniqueConstraintException);
      expect(await db.adapter.count(scope.users(), usersTable)).toBe(2_311);
    });
  });
});
