import 'reflect-metadata';
import { join } from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import { DatabaseModule, UserRepository } from 'nest-data-layer';
import { InvoicesRepository } from '../src/invoices.repository';
import { invoicesTable } from '../src/schema';

/**
 * The app's tables and the library's on a fresh SQLite `:memory:` database, booted by hand with
 * `DatabaseModule.forRoot`. This is the part the library's test kit (`DatabaseTestingModule`, per-
 * test rollback, `defineFactory`) replaces.
 */
async function bootWithoutTestKit(): Promise<TestingModule> {
  return Test.createTestingModule({
    imports: [
      DatabaseModule.forRoot({
        provider: 'sqlite',
        sqlite: { path: ':memory:' },
        migrations: { directories: [join(__dirname, '..', 'migrations')], tables: [invoicesTable] },
        env: {},
      }),
      DatabaseModule.forFeature([InvoicesRepository]),
    ],
  }).compile();
}

describe('InvoicesRepository', () => {
  let moduleRef: TestingModule;
  let invoices: InvoicesRepository;
  let userId: string;

  beforeAll(async () => {
    moduleRef = await bootWithoutTestKit();
    invoices = moduleRef.get(InvoicesRepository);
    const user = await moduleRef
      .get(UserRepository)
      .create({ email: 'owner@example.com', firstName: 'In', lastName: 'Voice' });
    userId = user.id;
  });
  afterAll(() => moduleRef.close());

  it('creates an invoice and reads it back', async () => {
    const created = await invoices.create({
      userId,
      number: 'INV-0001',
      amountCents: 1250,
      currency: 'eur',
      status: 'open',
    });
    expect(created).toMatchObject({ number: 'INV-0001', amountCents: 1250, paidAt: null });
    await expect(invoices.findById(created.id)).resolves.toEqual(created);
  });

  it('lists invoices by status', async () => {
    await invoices.create({
      userId,
      number: 'INV-0002',
      amountCents: 99,
      currency: 'usd',
      status: 'paid',
      paidAt: '2026-01-02T03:04:05.678Z',
    });
    const paid = await invoices.findByStatus('paid');
    expect(paid.map((invoice) => invoice.number)).toEqual(['INV-0002']);
  });

  it('refuses an amount that is not an integer, before any query', async () => {
    await expect(
      invoices.create({
        userId,
        number: 'INV-0003',
        amountCents: 1.5,
        currency: 'usd',
        status: 'draft',
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
  });
});
