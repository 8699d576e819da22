import type { TestingModule } from '@nestjs/testing';
import type { PostgresAdapter } from '../../src/adapters/postgres';
import type { IDatabaseAdapter } from '../../src/adapters/database-adapter.interface';
import { DATABASE_ADAPTER } from '../../src/database.constants';
import { UserRole, UserStatus } from '../../src/entities/user.entity';
import {
  TransactionException,
  UniqueConstraintException,
  ValidationException,
} from '../../src/exceptions';
import { UserRepository } from '../../src/repositories/user.repository';
import { usersTable } from '../../src/schema';
import { defineFactory, rollbackEachTest } from '../../src/testing';
import {
  InvoicesRepository,
  invoicesTable,
  TEST_KIT_PROVIDERS,
  BOOT_TIMEOUT_MS,
  bootInvoicesApp,
} from './support/invoices-app';

const invoiceFactory = defineFactory(invoicesTable, (seq) => ({
  number: `INV-${seq}`,
  amountCents: 100 * seq,
  note: null,
}));

const userFactory = defineFactory(usersTable, (seq) => ({
  email: `user${seq}@example.com`,
  firstName: 'Test',
  lastName: `User ${seq}`,
  role: UserRole.User,
  status: UserStatus.Active,
  emailVerified: false,
}));

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.each(TEST_KIT_PROVIDERS)('rollbackEachTest', (kit) => {
  kit.describe(kit.provider, () => {
    let moduleRef: TestingModule;
    let invoices: InvoicesRepository;
    let users: UserRepository;
    let adapter: IDatabaseAdapter;

    beforeAll(async () => {
      moduleRef = await bootInvoicesApp({
        ...kit.options(),
        provider: kit.provider,
        // Far shorter than the long test below: the test transaction must outlive it.
        transactionTimeoutMs: 200,
      });
      invoices = moduleRef.get(InvoicesRepository);
      users = moduleRef.get(UserRepository);
      adapter = moduleRef.get<IDatabaseAdapter>(DATABASE_ADAPTER);
    }, BOOT_TIMEOUT_MS);
    afterAll(async () => {
      // After the last test's rollback: nothing any test wrote is left.
      expect(await invoices.count()).toBe(0);
      expect(await users.count(undefined, { includeDeleted: true })).toBe(0);
      await moduleRef.close();
    });

    rollbackEachTest(() => moduleRef);

    it('lets a test write, nested transactions and handles included', async () => {
      const first = await invoiceFactory.create(invoices);
      await invoices.transaction(async () => {
        await invoiceFactory.create(invoices);
        // A failed statement inside a nested transaction undoes only that transaction.
        await expect(
          invoices.transaction(async () => {
            await invoiceFactory.create(invoices);
            await invoices.create(invoiceFactory.build({ number: first.number }));
          }),
        ).rejects.toBeInstanceOf(UniqueConstraintException);
        await invoiceFactory.create(invoices);
      });
      const handle = await adapter.beginTransaction();
      await userFactory.create(users);
      await adapter.commitTransaction(handle);
      expect(await invoices.count()).toBe(3);
      expect(await users.count()).toBe(1);
    });

    it('starts the next test from an empty database', async () => {
      expect(await invoices.count()).toBe(0);
      expect(await users.count()).toBe(0);
    });

    it('keeps going after a failed statement outside any transaction', async () => {
      const first = await invoiceFactory.create(invoices, { number: 'DUP' });
      await expect(invoices.create(invoiceFactory.build({ number: 'DUP' }))).rejects.toBeInstanceOf(
        UniqueConstraintException,
      );
      await invoices.update(first.id, { status: 'paid' });
      expect((await invoices.findById(first.id))?.status).toBe('paid');
    });

    it('rolls a nested transaction back to its savepoint when its work throws', async () => {
      const kept = await invoiceFactory.create(invoices);
      await expect(
        invoices.transaction(async () => {
          await invoices.update(kept.id, { status: 'sent' });
          await invoiceFactory.create(invoices);
          throw new Error('undo');
        }),
      ).rejects.toThrow('undo');
      expect(await invoices.count()).toBe(1);
      expect((await invoices.findById(kept.id))?.status).toBe('draft');
    });

    it('rolls back a handle it is asked to, and refuses a second handle in one flow', async () => {
      const handle = await adapter.beginTransaction();
      await invoiceFactory.create(invoices);
      await expect(adapter.beginTransaction()).rejects.toBeInstanceOf(TransactionException);
      await adapter.rollbackTransaction(handle);
      expect(await invoices.count()).toBe(0);
      await expect(adapter.commitTransaction(handle)).rejects.toBeInstanceOf(TransactionException);
    });

    it('refuses the later statements of a handle in which one failed, until rolled back', async () => {
      await invoiceFactory.create(invoices, { number: 'TAKEN' });
      const handle = await adapter.beginTransaction();
      await expect(invoices.create(invoiceFactory.build({ number: 'TAKEN' }))).rejects.toThrow();
      await expect(invoiceFactory.create(invoices)).rejects.toBeInstanceOf(TransactionException);
      await expect(adapter.commitTransaction(handle)).rejects.toBeInstanceOf(TransactionException);
      expect(await invoices.count()).toBe(1);
    });

    it('outlives the transaction time limit under a long test', async () => {
      await invoiceFactory.create(invoices);
      await sleep(450);
      await invoiceFactory.create(invoices);
      expect(await invoices.count()).toBe(2);
    });

    it('leaves the time limit to top-level transactions: a nested one is a savepoint', async () => {
      await invoices.transaction(async () => {
        await invoiceFactory.create(invoices);
        await sleep(300);
        await invoiceFactory.create(invoices);
      });
      expect(await invoices.count()).toBe(2);
    });

    it('keeps the factory rules: a bad build fails before any statement', () => {
      expect(() => invoiceFactory.build({ amountCents: -1 })).toThrow(ValidationException);
    });

    it('leaves nothing from the tests above', async () => {
      expect(await invoices.count()).toBe(0);
      expect(await users.count(undefined, { includeDeleted: true })).toBe(0);
    });
  });
});

const postgres = TEST_KIT_PROVIDERS.find((kit) => kit.provider === 'postgres')!;

postgres.describe('rollbackEachTest on PostgreSQL', () => {
  let moduleRef: TestingModule;
  let invoices: InvoicesRepository;
  let pool: PostgresAdapter['pool'];

  beforeAll(async () => {
    moduleRef = await bootInvoicesApp({ ...postgres.options(), provider: 'postgres' });
    invoices = moduleRef.get(InvoicesRepository);
    pool = moduleRef.get<PostgresAdapter>(DATABASE_ADAPTER).pool;
  }, BOOT_TIMEOUT_MS);
  afterAll(() => moduleRef.close());

  rollbackEachTest(() => moduleRef);

  it('routes every statement, concurrent ones too, to the one pinned connection', async () => {
    await Promise.all(Array.from({ length: 8 }, () => invoiceFactory.create(invoices)));
    await Promise.all([
      invoices.count(),
      invoices.transaction(() => invoiceFactory.create(invoices)),
      invoices.findMany(),
    ]);
    expect(pool.totalCount).toBe(1);
    expect(await invoices.count()).toBe(9);
    // Another connection sees nothing: it is all uncommitted.
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM invoices');
    expect(rows[0].n).toBe(0);
  });
});
