import { RecordNotFoundException, UniqueConstraintException } from '../../src/exceptions';
import { paymentsTable, usersTable } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  ISO_UTC_MILLIS,
  Scope,
  caught,
  sortedIds,
  withProvider,
} from './conformance-setup';

const MISSING_ID = '00000000-0000-4000-8000-000000000000';

describe.each(CONFORMANCE_PROVIDERS)('soft delete', (provider) => {
  withProvider(provider, (db) => {
    it('hides soft-deleted rows from every read unless includeDeleted', async () => {
      const scope = new Scope();
      const [kept, gone] = await db.adapter.createMany([scope.user(), scope.user()], usersTable);
      await db.adapter.softDelete(gone.id, usersTable);

      expect(await db.adapter.findById(gone.id, usersTable)).toBeNull();
      const deleted = await db.adapter.findById(gone.id, usersTable, { includeDeleted: true });
      expect(deleted?.deletedAt).toMatch(ISO_UTC_MILLIS);
      expect(kept.deletedAt ?? null).toBeNull();

      expect(sortedIds(await db.adapter.findMany({ filters: scope.users() }, usersTable))).toEqual([
        kept.id,
      ]);
      expect(
        sortedIds(
          await db.adapter.findMany({ filters: scope.users(), includeDeleted: true }, usersTable),
        ),
      ).toEqual(sortedIds([kept, gone]));
      expect(await db.adapter.findFirst({ filters: { id: gone.id } }, usersTable)).toBeNull();
      expect(
        (await db.adapter.findFirst({ filters: { id: gone.id }, includeDeleted: true }, usersTable))
          ?.id,
      ).toBe(gone.id);

      expect(await db.adapter.count(scope.users(), usersTable)).toBe(1);
      expect(await db.adapter.count(scope.users(), usersTable, { includeDeleted: true })).toBe(2);
      expect(await db.adapter.exists(gone.id, usersTable)).toBe(false);
      expect(await db.adapter.exists(gone.id, usersTable, { includeDeleted: true })).toBe(true);
      expect(sortedIds(await db.adapter.findByIds([kept.id, gone.id], usersTable))).toEqual([
        kept.id,
      ]);
      expect(
        sortedIds(
          await db.adapter.findByIds([kept.id, gone.id], usersTable, { includeDeleted: true }),
        ),
      ).toEqual(sortedIds([kept, gone]));
      expect(
        await db.adapter.count({ ...scope.users(), deletedAt: { isNull: false } }, usersTable, {
          includeDeleted: true,
        }),
      ).toBe(1);
    });

    it('refuses update and softDelete of a missing or soft-deleted row', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      await db.adapter.softDelete(user.id, usersTable);
      for (const id of [user.id, MISSING_ID]) {
        const updateError = await caught(() =>
          db.adapter.update(id, { firstName: 'Zombie' }, usersTable),
        );
        expect(updateError).toBeInstanceOf(RecordNotFoundException);
        expect((updateError as RecordNotFoundException).id).toBe(id);
        expect(await caught(() => db.adapter.softDelete(id, usersTable))).toBeInstanceOf(
          RecordNotFoundException,
        );
      }
      const stored = await db.adapter.findById(user.id, usersTable, { includeDeleted: true });
      expect(stored?.firstName).toBe(user.firstName);
    });

    it('restores a soft-deleted row, and refuses to restore a live or missing one', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      expect(await caught(() => db.adapter.restore(user.id, usersTable))).toBeInstanceOf(
        RecordNotFoundException,
      );
      expect(await caught(() => db.adapter.restore(MISSING_ID, usersTable))).toBeInstanceOf(
        RecordNotFoundException,
      );
      await db.adapter.softDelete(user.id, usersTable);
      const restored = await db.adapter.restore(user.id, usersTable);
      expect(restored.id).toBe(user.id);
      expect(restored.deletedAt ?? null).toBeNull();
      expect(restored.email).toBe(user.email);
      expect(await db.adapter.findById(user.id, usersTable)).toEqual(restored);
      expect(await db.adapter.count(scope.users(), usersTable)).toBe(1);
    });

    it('removes a row for good with hardDelete, live or soft-deleted', async () => {
      const scope = new Scope();
      const [live, deleted] = await db.adapter.createMany([scope.user(), scope.user()], usersTable);
      await db.adapter.softDelete(deleted.id, usersTable);
      await db.adapter.hardDelete(live.id, usersTable);
      await db.adapter.hardDelete(deleted.id, usersTable);
      for (const id of [live.id, deleted.id]) {
        expect(await db.adapter.findById(id, usersTable, { includeDeleted: true })).toBeNull();
        expect(await db.adapter.exists(id, usersTable, { includeDeleted: true })).toBe(false);
      }
      expect(await caught(() => db.adapter.hardDelete(live.id, usersTable))).toBeInstanceOf(
        RecordNotFoundException,
      );
      expect(await db.adapter.count(scope.users(), usersTable, { includeDeleted: true })).toBe(0);
    });

    it('lets a soft-deleted row’s unique email be reused; restoring it then conflicts', async () => {
      const scope = new Scope();
      const email = scope.email();
      const first = await db.adapter.create(scope.user({ email }), usersTable);
      await db.adapter.softDelete(first.id, usersTable);
      const second = await db.adapter.create(scope.user({ email }), usersTable);
      expect(second.id).not.toBe(first.id);

      const error = await caught(() => db.adapter.restore(first.id, usersTable));
      expect(error).toBeInstanceOf(UniqueConstraintException);
      expect((error as UniqueConstraintException).field).toBe('email');
      expect(await db.adapter.findById(first.id, usersTable)).toBeNull();
      expect(await db.adapter.count(scope.users(), usersTable, { includeDeleted: true })).toBe(2);
    });

    it('lets soft-deleted Stripe ids be reused; restoring then conflicts', async () => {
      const scope = new Scope();
      const customer = `cus${scope.tag}`;
      const owner = await db.adapter.create(scope.user({ stripeCustomerId: customer }), usersTable);
      await db.adapter.softDelete(owner.id, usersTable);
      await db.adapter.create(scope.user({ stripeCustomerId: customer }), usersTable);
      const userError = await caught(() => db.adapter.restore(owner.id, usersTable));
      expect(userError).toBeInstanceOf(UniqueConstraintException);
      expect((userError as UniqueConstraintException).field).toBe('stripeCustomerId');

      const payer = await db.adapter.create(scope.user(), usersTable);
      const payment = await db.adapter.create(scope.payment(payer.id), paymentsTable);
      await db.adapter.softDelete(payment.id, paymentsTable);
      const again = await db.adapter.create(
        scope.payment(payer.id, { stripePaymentIntentId: payment.stripePaymentIntentId }),
        paymentsTable,
      );
      expect(again.stripePaymentIntentId).toBe(payment.stripePaymentIntentId);
      const paymentError = await caught(() => db.adapter.restore(payment.id, paymentsTable));
      expect(paymentError).toBeInstanceOf(UniqueConstraintException);
      expect((paymentError as UniqueConstraintException).field).toBe('stripePaymentIntentId');
    });
  });
});
