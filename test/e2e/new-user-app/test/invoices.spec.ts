import 'reflect-metadata';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  DatabaseExceptionFilter,
  DatabaseModule,
  DatabaseTestingModule,
  UserRepository,
  defineFactory,
  rollbackEachTest,
  type TestDatabaseProvider,
} from 'nest-data-layer';
import { InvoicesController } from '../src/invoices.controller';
import { InvoicesRepository } from '../src/invoices.repository';
import { invoicesTable } from '../src/schema';

/** Valid invoices: each build a new number. `userId` comes from the test. */
const invoices = defineFactory(invoicesTable, (seq) => ({
  number: `INV-${String(seq).padStart(4, '0')}`,
  amountCents: 1000 * seq,
  status: 'draft',
}));

/**
 * SQLite in memory; a throwaway PostgreSQL database too when TEST_DATABASE_ADMIN_URL names a
 * server where the tests may create databases.
 */
const providers: TestDatabaseProvider[] = process.env.TEST_DATABASE_ADMIN_URL
  ? ['sqlite', 'postgres']
  : ['sqlite'];

describe.each(providers)('invoices on %s', (provider) => {
  let app: INestApplication;
  let repository: InvoicesRepository;
  let userId: string;

  // On PostgreSQL this creates a database and migrates it: more than Jest's 5 s on a busy machine.
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        DatabaseTestingModule.forRoot({
          provider,
          migrations: {
            directories: [join(__dirname, '..', 'migrations')],
            tables: [invoicesTable],
          },
        }),
        DatabaseModule.forFeature([InvoicesRepository]),
      ],
      controllers: [InvoicesController],
    }).compile();
    app = moduleRef.createNestApplication();
    app.useGlobalFilters(new DatabaseExceptionFilter());
    await app.init();
    repository = app.get(InvoicesRepository);
    // Created before the first test's transaction, so it is committed: every test bills this user.
    const owner = await app
      .get(UserRepository)
      .create({ email: 'owner@example.com', firstName: 'In', lastName: 'Voice' });
    userId = owner.id;
  }, 60_000);
  afterAll(() => app?.close());

  // Each test runs in a transaction rolled back after it.
  rollbackEachTest(() => app);

  it('creates an invoice over HTTP and reads it back', async () => {
    const invoice = invoices.build({ userId, currency: 'eur', status: 'open' });
    const created = await request(app.getHttpServer()).post('/invoices').send(invoice).expect(201);
    expect(created.body).toMatchObject({ ...invoice, paidAt: null, note: null });
    const read = await request(app.getHttpServer()).get(`/invoices/${created.body.id}`).expect(200);
    expect(read.body).toEqual(created.body);
  });

  it('refuses an unknown status with 400, before any query', async () => {
    const invoice = { ...invoices.build({ userId }), status: 'lost' };
    await request(app.getHttpServer()).post('/invoices').send(invoice).expect(400);
  });

  it('lists invoices by status', async () => {
    const paid = await invoices.createMany(repository, 2, {
      userId,
      status: 'paid',
      paidAt: '2026-01-02T03:04:05.678Z',
    });
    await invoices.create(repository, { userId });
    const found = await repository.findByStatus('paid');
    // One createMany stamps both rows with the same createdAt: compare without their order.
    expect(found.map((invoice) => invoice.id).sort()).toEqual(
      paid.map((invoice) => invoice.id).sort(),
    );
  });

  describe('rollback per test', () => {
    it('a row made in one test ...', async () => {
      await invoices.create(repository, { userId, number: 'ROLLED-BACK' });
      expect(await repository.count()).toBe(1);
    });

    it('... is gone in the next', async () => {
      expect(await repository.findFirst({ number: 'ROLLED-BACK' })).toBeNull();
      expect(await repository.count()).toBe(0);
    });
  });

  it('undoes a nested transaction() that throws, and keeps the outer one', async () => {
    const outer = await repository.transaction(async () => {
      const kept = await invoices.create(repository, { userId });
      await expect(
        repository.transaction(async () => {
          await invoices.create(repository, { userId });
          throw new Error('undo the inner one');
        }),
      ).rejects.toThrow('undo the inner one');
      return kept;
    });
    const rows = await repository.findMany();
    expect(rows.map((invoice) => invoice.id)).toEqual([outer.id]);
  });
});
