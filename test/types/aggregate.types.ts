/**
 * Compile-time checks of aggregate(): what each list accepts, and a result typed from the
 * request (run by test/types/type-tests.spec.ts).
 */
import { paymentsTable, type IDatabaseAdapter, type PaymentRepository } from '../../src';

declare const adapter: IDatabaseAdapter;
declare const payments: PaymentRepository;

export async function typedResults(): Promise<void> {
  const byCurrency = await adapter.aggregate(
    { filters: { status: 'succeeded' }, groupBy: ['currency'], count: true, sum: ['amount'] },
    paymentsTable,
  );
  const row: { currency: string; count: number; sum: { amount: string | null } } = byCurrency[0];
  // @ts-expect-error avg was not asked for
  void byCurrency[0].avg;
  // @ts-expect-error only amount was summed
  void byCurrency[0].sum.fee;

  const [totals] = await payments.aggregate({
    avg: ['amount'],
    min: ['amount', 'lastEventAt'],
    max: ['createdAt'],
  });
  const average: number | null = totals.avg.amount;
  const smallest: number | null = totals.min.amount;
  const earliest: string | null = totals.min.lastEventAt;
  const latest: string | null = totals.max.createdAt;
  // @ts-expect-error no count was asked for
  void totals.count;
  // A nullable group property is null in its group, never undefined.
  const [byMethod] = await payments.aggregate({ groupBy: ['paymentMethod'], count: true });
  const method: string | null = byMethod.paymentMethod;
  void [row, average, smallest, earliest, latest, method];
}

export async function refusedRequests(): Promise<void> {
  // @ts-expect-error sum takes numeric properties only
  await payments.aggregate({ sum: ['currency'] });
  // @ts-expect-error avg takes numeric properties only
  await payments.aggregate({ avg: ['status'] });
  // @ts-expect-error no JSON property can be a group
  await payments.aggregate({ groupBy: ['metadata'] });
  // @ts-expect-error not a property of payments
  await payments.aggregate({ groupBy: ['nope'] });
  // @ts-expect-error count is a boolean
  await payments.aggregate({ count: 'yes' });
}

export async function streaming(): Promise<void> {
  for await (const payment of payments.iterate(
    { filters: { currency: 'eur' } },
    { batchSize: 50 },
  )) {
    const amount: number = payment.amount;
    void amount;
  }
  // @ts-expect-error iterate pages by itself
  payments.iterate({ pagination: { page: 1, limit: 10 } });
}
