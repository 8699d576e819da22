import { randomUUID } from 'node:crypto';
import {
  DatabaseException,
  ForeignKeyException,
  RecordNotFoundException,
  UniqueConstraintException,
  ValidationException,
} from '../../src/exceptions';
import {
  paymentsTable,
  subscriptionsTable,
  usersTable,
  webhookEventsTable,
} from '../../src/schema';
import { CONFORMANCE_PROVIDERS, Scope, caught, withProvider } from './conformance-setup';

describe.each(CONFORMANCE_PROVIDERS)('errors', (provider) => {
  withProvider(provider, (db) => {
    it('names a bad row of createMany by its index', async () => {
      const scope = new Scope();
      const rows = [scope.user(), { ...scope.user(), emailVerified: 'no' as unknown as boolean }];
      const error = await caught(() => db.adapter.createMany(rows, usersTable));
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as ValidationException).field).toBe('1.emailVerified');
    });

    it('refuses a hole in the rows of createMany as a bad row, writing nothing', async () => {
      const scope = new Scope();
      const first = scope.user();
      // eslint-disable-next-line no-sparse-arrays
      const rows = [first, , scope.user()] as never[];
      const error = await caught(() => db.adapter.createMany(rows, usersTable));
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as ValidationException).message).toMatch(/^Row 1/);
      expect(await db.adapter.count({ email: first.email }, usersTable)).toBe(0);
    });

    it('checks upsert options the same way everywhere', async () => {
      const scope = new Scope();
      const input = scope.user();
      const bad = [
        [{ conflictField: 'firstName', onConflict: 'update' }, 'conflictField'],
        [{ conflictField: 'nope', onConflict: 'ignore' }, 'conflictField'],
        [{ conflictField: 'email', onConflict: 'replace' }, 'onConflict'],
      ] as const;
      for (const [options, field] of bad) {
        const error = await caught(() => db.adapter.upsert(input, usersTable, options as never));
        expect(error).toBeInstanceOf(ValidationException);
        expect((error as ValidationException).field).toBe(field);
      }
      expect(await db.adapter.count({ email: input.email }, usersTable)).toBe(0);
    });

    it('throws UniqueConstraintException naming the field for a duplicate email, with the cause', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const error = await caught(() =>
        db.adapter.create(scope.user({ email: user.email }), usersTable),
      );
      expect(error).toBeInstanceOf(UniqueConstraintException);
      expect(error).toBeInstanceOf(DatabaseException);
      expect((error as UniqueConstraintException).field).toBe('email');
      expect((error as UniqueConstraintException).table).toBe('users');
      expect((error as Error).cause).toBeDefined();
      expect(await db.adapter.count(scope.users(), usersTable)).toBe(1);

      const other = await db.adapter.create(scope.user(), usersTable);
      const updateError = await caught(() =>
        db.adapter.update(other.id, { email: user.email }, usersTable),
      );
      expect(updateError).toBeInstanceOf(UniqueConstraintException);
      expect((updateError as UniqueConstraintException).field).toBe('email');
    });

    it('names the Stripe id of a duplicate webhook event or subscription', async () => {
      const scope = new Scope();
      const event = await db.adapter.create(scope.webhookEvent(), webhookEventsTable);
      const eventError = await caught(() =>
        db.adapter.create(
          scope.webhookEvent({ stripeEventId: event.stripeEventId }),
          webhookEventsTable,
        ),
      );
      expect(eventError).toBeInstanceOf(UniqueConstraintException);
      expect((eventError as UniqueConstraintException).field).toBe('stripeEventId');

      const user = await db.adapter.create(scope.user(), usersTable);
      const sub = await db.adapter.create(scope.subscription(user.id), subscriptionsTable);
      const subError = await caught(() =>
        db.adapter.create(
          scope.subscription(user.id, { stripeSubscriptionId: sub.stripeSubscriptionId }),
          subscriptionsTable,
        ),
      );
      expect(subError).toBeInstanceOf(UniqueConstraintException);
      expect((subError as UniqueConstraintException).field).toBe('stripeSubscriptionId');
    });

    it('throws ForeignKeyException for a payment of a missing user, with the cause', async () => {
      const scope = new Scope();
      const error = await caught(() =>
        db.adapter.create(scope.payment(randomUUID()), paymentsTable),
      );
      expect(error).toBeInstanceOf(ForeignKeyException);
      expect(error).toBeInstanceOf(DatabaseException);
      expect((error as Error).cause).toBeDefined();

      const user = await db.adapter.create(scope.user(), usersTable);
      const payment = await db.adapter.create(scope.payment(user.id), paymentsTable);
      expect(
        await caught(() => db.adapter.update(payment.id, { userId: randomUUID() }, paymentsTable)),
      ).toBeInstanceOf(ForeignKeyException);
    });

    it('throws ForeignKeyException on hardDelete of a user with payments, and keeps the user', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      await db.adapter.create(scope.payment(user.id), paymentsTable);
      const error = await caught(() => db.adapter.hardDelete(user.id, usersTable));
      expect(error).toBeInstanceOf(ForeignKeyException);
      expect((error as Error).cause).toBeDefined();
      expect(await db.adapter.findById(user.id, usersTable)).not.toBeNull();
    });

    it('throws RecordNotFoundException naming the table and id', async () => {
      const id = randomUUID();
      for (const work of [
        () => db.adapter.update(id, { firstName: 'x' }, usersTable),
        () => db.adapter.softDelete(id, usersTable),
        () => db.adapter.hardDelete(id, usersTable),
        () => db.adapter.restore(id, usersTable),
      ]) {
        const error = await caught(work);
        expect(error).toBeInstanceOf(RecordNotFoundException);
        expect(error).toBeInstanceOf(DatabaseException);
        expect((error as RecordNotFoundException).table).toBe('users');
        expect((error as RecordNotFoundException).id).toBe(id);
      }
      expect(await db.adapter.findById(id, usersTable)).toBeNull();
      expect(await db.adapter.exists(id, usersTable)).toBe(false);
    });

    it('lists every bad field of an invalid create in one ValidationException', async () => {
      const scope = new Scope();
      const { firstName: _firstName, ...withoutFirstName } = scope.user();
      const input = {
        ...withoutFirstName,
        email: 42,
        emailVerified: 'yes',
        lastLogin: 'not a date',
        nickname: 'Ada',
      };
      const error = await caught(() => db.adapter.create(input as never, usersTable));
      expect(error).toBeInstanceOf(ValidationException);
      expect(error).toBeInstanceOf(DatabaseException);
      const fields = (error as ValidationException).violations.map((v) => v.field).sort();
      expect(fields).toEqual(['email', 'emailVerified', 'firstName', 'lastLogin', 'nickname']);
      expect(fields).toContain((error as ValidationException).field);
      expect(await db.adapter.count(scope.users(), usersTable)).toBe(0);
    });

    it('rejects lookups by a malformed id with ValidationException', async () => {
      for (const work of [
        () => db.adapter.findById('not-a-uuid', usersTable),
        () => db.adapter.update('not-a-uuid', { firstName: 'x' }, usersTable),
        () => db.adapter.findByIds(['not-a-uuid'], usersTable),
      ]) {
        const error = await caught(work);
        expect(error).toBeInstanceOf(ValidationException);
      }
    });
  });
});
