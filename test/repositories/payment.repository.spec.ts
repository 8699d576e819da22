import { PaymentEntity, PaymentStatus } from '../../src/entities/payment.entity';
import { ValidationException } from '../../src/exceptions';
import { PaymentRepository } from '../../src/repositories/payment.repository';
import { UserRepository } from '../../src/repositories/user.repository';
import { paymentInput, userInput } from './support/billing-fixtures';
import {
  nextMillisecond,
  openSqliteTestDatabase,
  type SqliteTestDatabase,
} from './support/sqlite-test-database';

describe('PaymentRepository on SQLite', () => {
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

  it('creates a PaymentEntity with metadata defaulting to {}', async () => {
    const payment = await payments.create(paymentInput(userId));

    expect(payment).toBeInstanceOf(PaymentEntity);
    expect(payment.metadata).toEqual({});
    expect(payment.amount).toBe(1999);
  });

  it('rejects a negative or fractional amount, an upper-case currency and a bad status at once', async () => {
    const attempt = payments.create(
      paymentInput(userId, {
        amount: 19.99,
        currency: 'USD',
        status: 'paid' as PaymentStatus,
        metadata: [] as unknown as Record<string, unknown>,
      }),
    );

    await expect(attempt).rejects.toBeInstanceOf(ValidationException);
    const error = (await attempt.catch((e: unknown) => e)) as ValidationException;
    expect(error.violations.map((v) => v.field).sort()).toEqual([
      'amount',
      'currency',
      'metadata',
      'status',
    ]);
    await expect(payments.create(paymentInput(userId, { amount: -1 }))).rejects.toMatchObject({
      field: 'amount',
    });
  });

  it('upsertByStripeId inserts once, then updates the same row', async () => {
    const input = paymentInput(userId, { status: PaymentStatus.Processing });

    const first = await payments.upsertByStripeId(input);
    const second = await payments.upsertByStripeId({
      ...input,
      status: PaymentStatus.Succeeded,
      metadata: { order: 'A-1' },
    });

    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.record.id).toBe(first.record.id);
    expect(second.record.status).toBe(PaymentStatus.Succeeded);
    expect(await payments.count()).toBe(1);
    const found = await payments.findByStripePaymentIntentId(input.stripePaymentIntentId);
    expect(found).toMatchObject({ id: first.record.id, metadata: { order: 'A-1' } });
  });

  it('upsertByStripeId validates its input like create', async () => {
    await expect(
      payments.upsertByStripeId(paymentInput(userId, { currency: 'euro' })),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', field: 'currency' });
  });

  it('findByUser pages a user’s payments newest first', async () => {
    const other = (await new UserRepository(db.adapter).create(userInput())).id;
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push((await payments.create(paymentInput(userId, { amount: i }))).id);
      await nextMillisecond();
    }
    await payments.create(paymentInput(other));

    const page1 = await payments.findByUser(userId, { page: 1, limit: 2 });
    const page3 = await payments.findByUser(userId, { page: 3, limit: 2 });

    expect(page1).toMatchObject({ total: 5, totalPages: 3, hasNext: true, hasPrevious: false });
    expect(page1.data.map((p) => p.id)).toEqual([ids[4], ids[3]]);
    expect(page3.data.map((p) => p.id)).toEqual([ids[0]]);
    expect((await payments.findByUser(userId)).data).toHaveLength(5);

    const cursorPage = await payments.findByUser(userId, { limit: 4 });
    expect(cursorPage.data.map((p) => p.id)).toEqual([ids[4], ids[3], ids[2], ids[1]]);
    const rest = await payments.findByUser(userId, { limit: 4, after: cursorPage.nextCursor });
    expect(rest.data.map((p) => p.id)).toEqual([ids[0]]);
  });

  it('findByUserIds loads the payments of several users in one query', async () => {
    const users = new UserRepository(db.adapter);
    const second = (await users.create(userInput())).id;
    const third = (await users.create(userInput())).id;
    await payments.createMany([
      paymentInput(userId),
      paymentInput(second),
      paymentInput(second),
      paymentInput(third),
    ]);

    let found: PaymentEntity[] = [];
    const queries = await db.recordQueries(async () => {
      found = (await payments.findByUserIds([userId, second])) as PaymentEntity[];
    });

    expect(queries).toHaveLength(1);
    expect(found.map((p) => p.userId).sort()).toEqual([userId, second, second].sort());
    expect(await db.recordQueries(() => payments.findByUserIds([]))).toHaveLength(0);
  });
});
