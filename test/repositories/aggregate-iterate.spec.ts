import { PaymentEntity, PaymentStatus } from '../../src/entities/payment.entity';
import { PaymentRepository } from '../../src/repositories/payment.repository';
import { UserRepository } from '../../src/repositories/user.repository';
import { paymentInput, userInput } from './support/billing-fixtures';
import { openSqliteTestDatabase, type SqliteTestDatabase } from './support/sqlite-test-database';

describe('BaseRepository aggregate and iterate on SQLite', () => {
  let db: SqliteTestDatabase;
  let payments: PaymentRepository;
  let userId: string;

  beforeEach(async () => {
    db = await openSqliteTestDatabase();
    payments = new PaymentRepository(db.adapter);
    userId = (await new UserRepository(db.adapter).create(userInput())).id;
  });

  afterEach(async () => {
    await db.close();
  });

  it('aggregates the billing dashboard in one statement', async () => {
    const rows = [
      { amount: 1000, currency: 'usd', status: PaymentStatus.Succeeded },
      { amount: 2500, currency: 'eur', status: PaymentStatus.Succeeded },
      { amount: 700, currency: 'usd', status: PaymentStatus.Succeeded },
      { amount: 9900, currency: 'usd', status: PaymentStatus.Canceled },
    ];
    for (const row of rows) await payments.create(paymentInput(userId, row));
    const queries = await db.recordQueries(async () => {
      const byCurrency = await payments.aggregate({
        filters: { status: PaymentStatus.Succeeded },
        groupBy: ['currency'],
        count: true,
        sum: ['amount'],
      });
      expect(byCurrency).toEqual([
        { currency: 'eur', count: 1, sum: { amount: '2500' } },
        { currency: 'usd', count: 2, sum: { amount: '1700' } },
      ]);
    });
    expect(queries.map((q) => q.operation)).toEqual(['aggregate']);
  });

  it('iterates entities batch by batch, each batch one findPage', async () => {
    for (let i = 0; i < 5; i++) await payments.create(paymentInput(userId, { amount: i }));
    const seen: number[] = [];
    const queries = await db.recordQueries(async () => {
      for await (const payment of payments.iterate(
        { orderBy: { field: 'amount', direction: 'desc' } },
        { batchSize: 2 },
      )) {
        expect(payment).toBeInstanceOf(PaymentEntity);
        seen.push(payment.amount);
      }
    });
    expect(seen).toEqual([4, 3, 2, 1, 0]);
    expect(queries.map((q) => q.operation)).toEqual(['findPage', 'findPage', 'findPage']);
  });
});
