import { ForeignKeyException } from '../../src/exceptions';
import { paymentsTable, subscriptionsTable, usersTable } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  caught,
  expectValidation,
  withProvider,
} from './conformance-setup';

const MISSING_USER = '00000000-0000-4000-8000-000000000000';

describe.each(CONFORMANCE_PROVIDERS)('upsertMany', (provider) => {
  withProvider(provider, (db) => {
    it('inserts new keys and updates live ones, results in input order', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const existing = await db.adapter.create(
        scope.payment(user.id, { amount: 100 }),
        paymentsTable,
      );
      const fresh = scope.payment(user.id, { amount: 300 });
      const results = await db.adapter.upsertMany(
        [
          fresh,
          {
            ...scope.payment(user.id),
            stripePaymentIntentId: existing.stripePaymentIntentId,
            amount: 200,
          },
        ],
        paymentsTable,
        { conflictField: 'stripePaymentIntentId', onConflict: 'update' },
      );
      expect(results.map((r) => [r.created, r.applied, r.record.amount])).toEqual([
        [true, true, 300],
        [false, true, 200],
      ]);
      expect(results[0].record.stripePaymentIntentId).toBe(fresh.stripePaymentIntentId);
      expect(results[1].record.id).toBe(existing.id);
      expect((await db.adapter.findById(existing.id, paymentsTable))!.amount).toBe(200);
    });

    it('keeps live rows with onConflict ignore, returning them as stored', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const existing = await db.adapter.create(
        scope.payment(user.id, { amount: 100 }),
        paymentsTable,
      );
      const results = await db.adapter.upsertMany(
        [
          {
            ...scope.payment(user.id),
            stripePaymentIntentId: existing.stripePaymentIntentId,
            amount: 999,
          },
          scope.payment(user.id),
        ],
        paymentsTable,
        { conflictField: 'stripePaymentIntentId', onConflict: 'ignore' },
      );
      expect(results.map((r) => [r.created, r.applied])).toEqual([
        [false, false],
        [true, true],
      ]);
      expect(results[0].record).toEqual(existing);
    });

    it('inserts beside a soft-deleted row with the same key (the partial unique index)', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const old = await db.adapter.create(scope.payment(user.id), paymentsTable);
      await db.adapter.softDelete(old.id, paymentsTable);
      const [result] = await db.adapter.upsertMany(
        [{ ...scope.payment(user.id), stripePaymentIntentId: old.stripePaymentIntentId }],
        paymentsTable,
        { conflictField: 'stripePaymentIntentId', onConflict: 'update' },
      );
      expect(result.created).toBe(true);
      expect(result.record.id).not.toBe(old.id);
    });

    it('with orderedBy applies newer rows and keeps the stored one against an older row', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const at = (seconds: number) => new Date(1_717_000_000_000 + seconds * 1000).toISOString();
      const [older, newer] = [scope.subscription(user.id), scope.subscription(user.id)];
      const ordered = {
        conflictField: 'stripeSubscriptionId',
        onConflict: 'update',
        orderedBy: 'lastEventAt',
      } as const;
      await db.adapter.upsertMany(
        [
          { ...older, quantity: 5, lastEventAt: at(20) },
          { ...newer, quantity: 5, lastEventAt: at(20) },
        ],
        subscriptionsTable,
        ordered,
      );
      const results = await db.adapter.upsertMany(
        [
          { ...older, quantity: 1, lastEventAt: at(10) },
          { ...newer, quantity: 9, lastEventAt: at(30) },
        ],
        subscriptionsTable,
        ordered,
      );
      expect(results.map((r) => [r.created, r.applied, r.record.quantity])).toEqual([
        [false, false, 5],
        [false, true, 9],
      ]);
    });

    it('refuses two rows with the same key, and bad rows, before anything is written', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const row = scope.payment(user.id);
      await expectValidation(
        () =>
          db.adapter.upsertMany([row, scope.payment(user.id), { ...row }], paymentsTable, {
            conflictField: 'stripePaymentIntentId',
            onConflict: 'update',
          }),
        '2.stripePaymentIntentId',
      );
      await expectValidation(
        () =>
          db.adapter.upsertMany([row], paymentsTable, {
            conflictField: 'amount' as never,
            onConflict: 'update',
          }),
        'conflictField',
      );
      expect(await db.adapter.count({ userId: user.id }, paymentsTable)).toBe(0);
      expect(
        await db.adapter.upsertMany([], paymentsTable, {
          conflictField: 'stripePaymentIntentId',
          onConflict: 'update',
        }),
      ).toEqual([]);
    });

    it('writes every row or none where capabilities.atomicUpsertMany', async () => {
      if (!db.adapter.capabilities.atomicUpsertMany) return;
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const error = await caught(() =>
        db.adapter.upsertMany(
          [scope.payment(user.id), scope.payment(MISSING_USER)],
          paymentsTable,
          { conflictField: 'stripePaymentIntentId', onConflict: 'update' },
        ),
      );
      expect(error).toBeInstanceOf(ForeignKeyException);
      expect(await db.adapter.count({ userId: user.id }, paymentsTable)).toBe(0);
    });

    it('lets two calls over the same keys, given in opposite orders, both finish', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const rows = Array.from({ length: 50 }, () => scope.payment(user.id));
      const options = { conflictField: 'stripePaymentIntentId', onConflict: 'update' } as const;
      const [a, b] = await Promise.all([
        db.adapter.upsertMany(rows, paymentsTable, options),
        db.adapter.upsertMany([...rows].reverse(), paymentsTable, options),
      ]);
      expect(a.filter((r) => r.created).length + b.filter((r) => r.created).length).toBe(50);
      expect(await db.adapter.count({ userId: user.id }, paymentsTable)).toBe(50);
    });

    it('handles more rows than one statement binds, mixing given properties', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const rows = Array.from({ length: 2500 }, (_, i) =>
        i % 2 === 0
          ? scope.payment(user.id, { amount: i })
          : { ...scope.payment(user.id, { amount: i }), description: 'odd' },
      );
      const first = await db.adapter.upsertMany(rows, paymentsTable, {
        conflictField: 'stripePaymentIntentId',
        onConflict: 'update',
      });
      expect(first.every((r, i) => r.created && r.record.amount === i)).toBe(true);
      const again = await db.adapter.upsertMany(
        rows.map((r) => ({ ...r, amount: r.amount + 1 })),
        paymentsTable,
        { conflictField: 'stripePaymentIntentId', onConflict: 'update' },
      );
      expect(
        again.every((r, i) => !r.created && r.applied && r.record.id === first[i].record.id),
      ).toBe(true);
      expect(await db.adapter.count({ userId: user.id }, paymentsTable)).toBe(2500);
    });
  });
});
