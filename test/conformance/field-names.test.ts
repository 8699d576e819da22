import type { IFilterOptions } from '../../src/adapters/database-adapter.interface';
import { ValidationException } from '../../src/exceptions';
import { paymentsTable, usersTable } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  caught,
  expectValidation,
  withProvider,
} from './conformance-setup';

const HOSTILE_KEYS = ['email; DROP TABLE users', '__proto__', 'constructor', 'email"--', 'EMAIL'];

/** A filter object whose only own key is `key`, even for `__proto__`. */
function filterWithKey(key: string, value: unknown): IFilterOptions {
  return JSON.parse(JSON.stringify({ [key]: value })) as IFilterOptions;
}

describe.each(CONFORMANCE_PROVIDERS)('field names', (provider) => {
  withProvider(provider, (db) => {
    it('filters and orders by camelCase properties stored in snake_case columns', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(
        scope.user({ firstName: 'Grace', lastName: 'Hopper', emailVerified: true }),
        usersTable,
      );
      const payment = await db.adapter.create(
        scope.payment(user.id, { stripeCustomerId: `cus${scope.tag}` }),
        paymentsTable,
      );

      const users = await db.adapter.findMany(
        {
          filters: { ...scope.users(), firstName: 'Grace', emailVerified: true },
          orderBy: { field: 'lastName' },
        },
        usersTable,
      );
      expect(users.map((u) => u.id)).toEqual([user.id]);
      expect(Object.keys(users[0])).toEqual(expect.arrayContaining(['firstName', 'createdAt']));
      expect(Object.keys(users[0])).not.toContain('first_name');

      const payments = await db.adapter.findMany(
        { filters: { userId: user.id, stripeCustomerId: `cus${scope.tag}` } },
        paymentsTable,
      );
      expect(payments.map((p) => p.id)).toEqual([payment.id]);
    });

    it('rejects a filter key that is not a property, naming it', async () => {
      for (const key of ['first_name', 'password', 'nope']) {
        await expectValidation(
          () => db.adapter.findMany({ filters: filterWithKey(key, 'x') }, usersTable),
          key,
        );
        await expectValidation(() => db.adapter.count(filterWithKey(key, 'x'), usersTable), key);
      }
    });

    it('rejects an order field that is not a property, naming it', async () => {
      for (const field of ['first_name', 'nope', 'email; DROP TABLE users']) {
        await expectValidation(
          () => db.adapter.findMany({ orderBy: { field } }, usersTable),
          field,
        );
      }
    });

    it('rejects hostile filter keys and order fields, and the table still exists', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      for (const key of HOSTILE_KEYS) {
        const error = await caught(() =>
          db.adapter.findMany({ filters: filterWithKey(key, user.email) }, usersTable),
        );
        expect(error).toBeInstanceOf(ValidationException);
        expect((error as ValidationException).field).toBe(key);
        await expectValidation(
          () => db.adapter.findMany({ orderBy: { field: key } }, usersTable),
          key,
        );
      }
      expect(await db.adapter.findById(user.id, usersTable)).toEqual(user);
      expect(await db.adapter.count(scope.users(), usersTable)).toBe(1);
    });

    it('treats hostile filter values as plain data', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(
        scope.user({ firstName: "Robert'); DROP TABLE users;--" }),
        usersTable,
      );
      const found = await db.adapter.findMany(
        { filters: { ...scope.users(), firstName: "Robert'); DROP TABLE users;--" } },
        usersTable,
      );
      expect(found.map((u) => u.id)).toEqual([user.id]);
      expect(await db.adapter.count(scope.users(), usersTable)).toBe(1);
    });

    it('rejects an unknown operator', async () => {
      await expectValidation(
        () =>
          db.adapter.findMany(
            { filters: { email: { startsWith: 'a' } as unknown as IFilterOptions[string] } },
            usersTable,
          ),
        'email',
      );
    });
  });
});
