import { instanceToPlain } from 'class-transformer';
import { UserEntity, UserRole, UserStatus, type IUserEntity } from '../../src/entities/user.entity';
import { RecordNotFoundException, ValidationException } from '../../src/exceptions';
import { PaymentRepository } from '../../src/repositories/payment.repository';
import { SubscriptionRepository } from '../../src/repositories/subscription.repository';
import { UserRepository } from '../../src/repositories/user.repository';
import { paymentInput, subscriptionInput, userInput } from './support/billing-fixtures';
import {
  nextMillisecond,
  openSqliteTestDatabase,
  type SqliteTestDatabase,
} from './support/sqlite-test-database';

/** Runs `work` and returns the ValidationException it throws (fails the test otherwise). */
async function validationError(work: () => Promise<unknown>): Promise<ValidationException> {
  try {
    await work();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationException);
    return error as ValidationException;
  }
  throw new Error('expected a ValidationException');
}

describe('UserRepository on SQLite', () => {
  let db: SqliteTestDatabase;
  let users: UserRepository;

  beforeEach(async () => {
    db = await openSqliteTestDatabase();
    users = new UserRepository(db.adapter);
  });

  afterEach(async () => {
    await db.close();
  });

  describe('create', () => {
    it('fills role, status and emailVerified defaults and returns a UserEntity', async () => {
      const user = await users.create(userInput());

      expect(user).toBeInstanceOf(UserEntity);
      expect(user).toMatchObject({
        role: UserRole.User,
        status: UserStatus.Active,
        emailVerified: false,
      });
      expect(user.id).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('rejects bad input with one ValidationException listing every bad field', async () => {
      const error = await validationError(() =>
        users.create({
          email: 'not-an-email',
          firstName: '',
          lastName: 'x'.repeat(101),
          role: 'Owner' as UserRole,
          phone: '555-1234',
          avatarUrl: 'ftp://example.com/a.png',
          lastLogin: '2024-02-30T00:00:00Z',
        }),
      );

      expect(error.violations.map((v) => v.field).sort()).toEqual([
        'avatarUrl',
        'email',
        'firstName',
        'lastLogin',
        'lastName',
        'phone',
        'role',
      ]);
      expect(error.field).toBeDefined();
      expect(error.violations.every((v) => v.messages.length > 0)).toBe(true);
      expect(await users.count()).toBe(0);
    });

    it('reports unknown and library-managed properties along with the rule violations', async () => {
      const error = await validationError(() =>
        users.create({ ...userInput({ email: 'bad' }), id: 'x', nickname: 'y' } as never),
      );

      expect(error.violations.map((v) => v.field).sort()).toEqual(['email', 'id', 'nickname']);
    });

    it('never echoes rejected values in the exception', async () => {
      const secret = 'secret-value-0451';
      const error = await validationError(() =>
        users.create(
          userInput({
            email: `${secret}-not-an-email`,
            passwordHash: { hash: secret } as unknown as string,
          }),
        ),
      );

      expect(error.violations.map((v) => v.field).sort()).toEqual(['email', 'passwordHash']);
      expect(error.message).not.toContain(secret);
      expect(
        JSON.stringify({ details: error.details, violations: error.violations }),
      ).not.toContain(secret);
    });

    it('validates every row of createMany and names fields by row index', async () => {
      const error = await validationError(() =>
        users.createMany([userInput(), userInput({ email: 'bad' }), userInput({ firstName: '' })]),
      );

      expect(error.violations.map((v) => v.field)).toEqual(['1.email', '2.firstName']);
      expect(await users.count()).toBe(0);
    });
  });

  describe('update', () => {
    it('checks only the properties given', async () => {
      const user = await users.create(userInput());

      const updated = await users.update(user.id, { firstName: 'Grace' });
      expect(updated.firstName).toBe('Grace');

      const error = await validationError(() =>
        users.update(user.id, { phone: 'call me', status: 'Gone' as UserStatus }),
      );
      expect(error.violations.map((v) => v.field).sort()).toEqual(['phone', 'status']);
    });

    it('rejects null for a required property and accepts it for a nullable one', async () => {
      const user = await users.create(userInput({ phone: '+14155550123' }));

      const error = await validationError(() =>
        users.update(user.id, { firstName: null as unknown as string }),
      );
      expect(error.violations.map((v) => v.field)).toEqual(['firstName']);

      expect((await users.update(user.id, { phone: null })).phone).toBeNull();
    });
  });

  describe('emails', () => {
    it('stores emails lower-case on create and update', async () => {
      const user = await users.create(userInput({ email: 'Ada.Lovelace@Example.COM' }));
      expect(user.email).toBe('ada.lovelace@example.com');

      const updated = await users.update(user.id, { email: 'ADA@Example.org' });
      expect(updated.email).toBe('ada@example.org');
    });

    it('finds by email in any letter case', async () => {
      const user = await users.create(userInput({ email: 'grace@example.com' }));

      expect((await users.findByEmail('GRACE@Example.Com'))?.id).toBe(user.id);
      expect(await users.findByEmail('nobody@example.com')).toBeNull();
    });

    it('treats two emails differing only in case as the same user', async () => {
      await users.create(userInput({ email: 'same@example.com' }));

      await expect(users.create(userInput({ email: 'SAME@example.com' }))).rejects.toMatchObject({
        code: 'UNIQUE_VIOLATION',
      });
    });

    it('does not find a soft-deleted user unless asked to', async () => {
      const user = await users.create(userInput({ email: 'gone@example.com' }));
      await users.softDelete(user.id);

      expect(await users.findByEmail('gone@example.com')).toBeNull();
      expect((await users.findByEmail('gone@example.com', { includeDeleted: true }))?.id).toBe(
        user.id,
      );
    });
  });

  it('finds by Stripe customer id', async () => {
    const user = await users.create(userInput({ stripeCustomerId: 'cus_123' }));

    expect((await users.findByStripeCustomerId('cus_123'))?.id).toBe(user.id);
    expect(await users.findByStripeCustomerId('cus_none')).toBeNull();
  });

  it('updateLastLogin stores the given instant', async () => {
    const user = await users.create(userInput());
    const at = new Date('2024-05-01T12:00:00.000Z');

    expect((await users.updateLastLogin(user.id, at)).lastLogin).toBe('2024-05-01T12:00:00.000Z');
    await expect(
      users.updateLastLogin('6f1c1e0e-4a57-4b8e-9a7e-2f1d9f0b1c2d'),
    ).rejects.toBeInstanceOf(RecordNotFoundException);
  });

  describe('passwordHash', () => {
    it('is readable on the entity but absent from JSON.stringify and instanceToPlain', async () => {
      const created = await users.create(userInput({ passwordHash: 'hash-do-not-leak' }));
      const found = (await users.findById(created.id))!;

      for (const user of [created, found]) {
        expect(user.passwordHash).toBe('hash-do-not-leak');
        expect(JSON.stringify(user)).not.toContain('hash-do-not-leak');
        expect(JSON.stringify(user)).not.toContain('passwordHash');
        expect(instanceToPlain(user)).not.toHaveProperty('passwordHash');
        expect(JSON.parse(JSON.stringify(user))).toMatchObject({
          id: created.id,
          email: created.email,
        });
      }
      const page = await users.findWithPagination({ pagination: { page: 1, limit: 10 } });
      expect(JSON.stringify(page)).not.toContain('hash-do-not-leak');
    });
  });

  describe('reads', () => {
    it('findFirst takes either filters or full options', async () => {
      await users.create(userInput({ firstName: 'Zed', role: UserRole.Admin }));
      await nextMillisecond();
      await users.create(userInput({ firstName: 'Amy', role: UserRole.Admin }));

      expect((await users.findFirst({ role: UserRole.Admin }))?.firstName).toBe('Zed');
      expect(
        (
          await users.findFirst({
            filters: { role: UserRole.Admin },
            orderBy: { field: 'firstName' },
          })
        )?.firstName,
      ).toBe('Amy');
      expect(await users.findFirst({ role: UserRole.User })).toBeNull();
    });

    it('findWithPagination returns offset pages and cursor pages', async () => {
      for (let i = 0; i < 5; i += 1) {
        await users.create(userInput({ firstName: `User${i}` }));
      }

      const offset = await users.findWithPagination({ pagination: { page: 2, limit: 2 } });
      expect(offset).toMatchObject({ total: 5, page: 2, limit: 2, totalPages: 3, hasNext: true });
      expect(offset.data).toHaveLength(2);

      const first = await users.findWithPagination({ pagination: { limit: 3 } });
      expect(first.data).toHaveLength(3);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await users.findWithPagination({
        pagination: { limit: 3, after: first.nextCursor },
      });
      expect(second.data).toHaveLength(2);
      expect(second.hasNext).toBe(false);
      const ids = [...first.data, ...second.data].map((u) => u.id);
      expect(new Set(ids).size).toBe(5);
    });

    it('findByIds loads many users in a single query', async () => {
      const created = await users.createMany([userInput(), userInput(), userInput(), userInput()]);
      const ids = created.map((u) => u.id);

      let found: UserEntity[] = [];
      const queries = await db.recordQueries(async () => {
        found = (await users.findByIds([
          ...ids,
          '6f1c1e0e-4a57-4b8e-9a7e-2f1d9f0b1c2d',
        ])) as UserEntity[];
      });

      expect(queries).toHaveLength(1);
      expect(found.map((u) => u.id).sort()).toEqual([...ids].sort());
    });
  });

  describe('findWithBilling', () => {
    it('reads the page with its payments and subscriptions in one query, whatever the page size', async () => {
      const payments = new PaymentRepository(db.adapter);
      const subscriptions = new SubscriptionRepository(db.adapter);
      const created: IUserEntity[] = [];
      for (let i = 0; i < 6; i += 1) {
        const user = await users.create(userInput({ firstName: `U${i}` }));
        created.push(user);
        for (let p = 0; p < i % 3; p += 1) await payments.create(paymentInput(user.id));
        if (i % 2 === 0) await subscriptions.create(subscriptionInput(user.id));
        await nextMillisecond();
      }

      const small = await db.recordQueries(() =>
        users.findWithBilling({ pagination: { page: 1, limit: 2 } }),
      );
      let page = await users.findWithBilling({ pagination: { page: 1, limit: 6 } });
      const large = await db.recordQueries(async () => {
        page = await users.findWithBilling({ pagination: { page: 1, limit: 6 } });
      });

      expect(large.map((q) => q.operation)).toEqual(small.map((q) => q.operation));
      expect(large.map((q) => q.table)).toEqual(['users']);
      expect(page.total).toBe(6);
      expect(page.data.map((row) => row.user.id)).toEqual(created.map((u) => u.id));
      page.data.forEach((row, i) => {
        expect(row.payments).toHaveLength(i % 3);
        expect(row.subscriptions).toHaveLength(i % 2 === 0 ? 1 : 0);
        expect(row.payments.every((p) => p.userId === row.user.id)).toBe(true);
        expect(row.user).toBeInstanceOf(UserEntity);
        expect('payments' in row.user).toBe(false);
      });
      const attached = await db.recordQueries(async () => {
        const pairs = await users.attachBilling([...created].reverse());
        expect(pairs.map((pair) => pair.payments.length)).toEqual([2, 1, 0, 2, 1, 0]);
        expect(pairs[0].user).toBe(created[5]);
      });
      expect(attached).toHaveLength(1);

      // Typed reads with include: the related arrays are part of the result type.
      const typed = await users.findMany({ include: { payments: { select: ['amount'] } } });
      const amounts: number[] = typed.flatMap((user) => user.payments.map((p) => p.amount));
      expect(amounts).toHaveLength(6);
      // @ts-expect-error -- only the selected properties are in the type
      expect(typed[0].payments[0]?.currency).toBeUndefined();
      // @ts-expect-error -- users have no relation "invoices"
      await expect(users.findMany({ include: { invoices: true } })).rejects.toThrow(
        ValidationException,
      );
      expect(JSON.stringify(page)).not.toContain('passwordHash');
    });

    it('makes no relation queries for an empty page', async () => {
      const queries = await db.recordQueries(() => users.findWithBilling());
      expect(queries.filter((q) => q.table !== 'users')).toHaveLength(0);
    });
  });
});
