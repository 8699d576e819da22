import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQLiteAdapter } from '../../src/adapters/sqlite';
import {
  CircuitOpenException,
  ConnectionException,
  TransactionException,
  UniqueConstraintException,
  ValidationException,
} from '../../src/exceptions';
import { PaymentRepository, UserRepository, WebhookRepository } from '../../src/repositories';
import { type ResilienceOptions, ResilientAdapter, withResilience } from '../../src/resilience';
import { paymentsTable, usersTable, webhookEventsTable } from '../../src/schema';
import { injectFaults, type FaultInjector } from '../support/faults/fault-injecting.adapter';
import { paymentInput, userInput } from '../repositories/support/billing-fixtures';

/** A connection lost after the statement was sent: its outcome is unknown. */
const lost = () =>
  new ConnectionException('connection terminated', { details: { sqlState: '57P01' } });
/** A connection refused before anything was sent. */
const refused = () => new ConnectionException('refused', { details: { sent: false } });
const deadlock = () => new TransactionException('deadlock detected', { retryable: true });

/** Fast retries: the behaviour is what matters here, not the waits. */
const FAST: ResilienceOptions = {
  retry: { backoffBaseMs: 1, backoffMaxMs: 2, transactionDelayMinMs: 0, transactionDelayMaxMs: 1 },
  circuitBreaker: { failureThreshold: 50, cooldownMs: 60_000 },
};

describe('ResilientAdapter over SQLite', () => {
  let dir: string;
  let real: SQLiteAdapter;
  let faults: FaultInjector;
  let adapter: ResilientAdapter;
  let users: UserRepository;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ndl-resilient-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  beforeEach(async () => {
    real = await SQLiteAdapter.open({
      path: join(dir, `${Date.now()}-${Math.random()}.sqlite`),
      migrate: true,
    });
    faults = injectFaults(real);
    adapter = withResilience(faults.adapter, FAST);
    users = new UserRepository(adapter);
  });
  afterEach(() => adapter.close());

  it('keeps the provider, the capabilities and the optional methods of the wrapped adapter', async () => {
    expect(adapter.provider).toBe('sqlite');
    expect(adapter.capabilities).toBe(real.capabilities);
    expect(typeof (adapter as unknown as { poolStats?: unknown }).poolStats).toBe(
      typeof (real as unknown as { poolStats?: unknown }).poolStats,
    );
    expect(typeof (adapter as unknown as { storageStats?: unknown }).storageStats).toBe(
      typeof (real as unknown as { storageStats?: unknown }).storageStats,
    );
  });

  it('retries a read after connection failures and succeeds on the third attempt', async () => {
    const user = await users.create(userInput());
    faults.failNext('findById', lost, 2);
    await expect(users.findById(user.id)).resolves.toMatchObject({ id: user.id });
    expect(adapter.stats().retries.connection).toBe(2);
  });

  it('gives up after 3 attempts with the last ConnectionException', async () => {
    faults.failNext('count', lost, 5);
    await expect(users.count()).rejects.toBeInstanceOf(ConnectionException);
    expect(faults.calls.count ?? 0).toBe(0);
    expect(adapter.stats()).toMatchObject({ retries: { connection: 2 }, exhausted: 1 });
  });

  it('does not retry a create whose outcome is unknown: no second row', async () => {
    const input = userInput();
    faults.failNext('create', lost, 1, 'after');
    await expect(users.create(input)).rejects.toBeInstanceOf(ConnectionException);
    expect(faults.calls.create).toBe(1);
    expect(await real.count({ email: input.email }, usersTable)).toBe(1);
  });

  it('retries a create that was never sent, and it lands exactly once', async () => {
    const input = userInput();
    faults.failNext('create', refused, 2);
    await users.create(input);
    expect(faults.calls.create).toBe(1);
    expect(await real.count({ email: input.email }, usersTable)).toBe(1);
  });

  it('retries an upsert by Stripe id whose answer was lost: one row, the latest values', async () => {
    const user = await users.create(userInput());
    const payments = new PaymentRepository(adapter);
    const input = paymentInput(user.id, { amount: 500 });
    faults.failNext('upsert', lost, 1, 'after');
    const { record } = await payments.upsertByStripeId(input);
    expect(record.amount).toBe(500);
    expect(faults.calls.upsert).toBe(2);
    expect(
      await real.count({ stripePaymentIntentId: input.stripePaymentIntentId }, paymentsTable),
    ).toBe(1);
  });

  it('retries recordIfNew after a lost answer: the event is stored once', async () => {
    const webhooks = new WebhookRepository(adapter);
    faults.failNext('upsert', lost, 1, 'after');
    await webhooks.recordIfNew({
      stripeEventId: 'evt_lost_ack',
      eventType: 'charge.succeeded',
      payload: {},
    });
    expect(await real.count({ stripeEventId: 'evt_lost_ack' }, webhookEventsTable)).toBe(1);
  });

  it('does not retry an increment whose outcome is unknown: it is added once', async () => {
    const webhooks = new WebhookRepository(adapter);
    const { event } = await webhooks.recordIfNew({
      stripeEventId: 'evt_increment',
      eventType: 'invoice.paid',
      payload: {},
    });
    faults.failNext('increment', lost, 1, 'after');
    await expect(
      adapter.increment(event.id, 'retryCount', 1, webhookEventsTable),
    ).rejects.toBeInstanceOf(ConnectionException);
    expect((await real.findById(event.id, webhookEventsTable))?.retryCount).toBe(1);
  });

  it('never retries a constraint or validation error', async () => {
    const input = userInput();
    await users.create(input);
    await expect(users.create({ ...input, firstName: 'Again' })).rejects.toBeInstanceOf(
      UniqueConstraintException,
    );
    await expect(adapter.findMany({ filters: { nope: 1 } }, usersTable)).rejects.toBeInstanceOf(
      ValidationException,
    );
    expect(faults.calls.create).toBe(2);
    expect(adapter.stats().retries).toEqual({ connection: 0, timeout: 0, transaction: 0 });
  });

  it('re-runs a whole transaction aborted by a deadlock: its rows land once', async () => {
    const email = userInput().email;
    let runs = 0;
    faults.failNext('create', deadlock, 1);
    await adapter.transaction(async () => {
      runs += 1;
      await users.create(userInput({ email }));
      await users.create(userInput());
    });
    expect(runs).toBe(2);
    expect(await real.count({ email }, usersTable)).toBe(1);
    expect(adapter.stats().retries.transaction).toBe(1);
  });

  it('does not retry single calls inside a transaction, only the transaction as a whole', async () => {
    let runs = 0;
    faults.failNext('findMany', lost, 1);
    await expect(
      adapter.transaction(async () => {
        runs += 1;
        await users.create(userInput());
        await adapter.findMany({}, usersTable);
      }),
    ).rejects.toBeInstanceOf(ConnectionException);
    expect(runs).toBe(1);
    expect(await real.count(undefined, usersTable)).toBe(0);
  });

  it('does not retry single calls inside a beginTransaction scope, and retries again after commit', async () => {
    await adapter.beginTransaction();
    faults.failNext('count', lost, 1);
    await expect(adapter.count(undefined, usersTable)).rejects.toBeInstanceOf(ConnectionException);
    await adapter.rollbackTransaction();
    faults.failNext('count', lost, 1);
    await expect(adapter.count(undefined, usersTable)).resolves.toBe(0);
  });

  it('runs a nested transaction as a savepoint without retrying it on its own', async () => {
    let inner = 0;
    faults.failNext('create', deadlock, 1);
    await adapter.transaction(async () => {
      await adapter
        .transaction(async () => {
          inner += 1;
          await users.create(userInput());
        })
        .catch((error: unknown) => {
          expect(error).toBeInstanceOf(TransactionException);
        });
      await users.create(userInput());
    });
    expect(inner).toBe(1);
    expect(await real.count(undefined, usersTable)).toBe(1);
  });

  it('opens the breaker after consecutive connection failures, fails fast, and closes after a good trial', async () => {
    const clock = { now: 0 };
    const guarded = new ResilientAdapter(faults.adapter, {
      retry: { connectionAttempts: 1 },
      circuitBreaker: { failureThreshold: 3, cooldownMs: 1000, now: () => clock.now },
    });
    faults.failNext('ping', lost, 3);
    for (let i = 0; i < 3; i++)
      await expect(guarded.ping()).rejects.toBeInstanceOf(ConnectionException);
    expect(guarded.circuitState).toBe('open');
    await expect(guarded.count(undefined, usersTable)).rejects.toBeInstanceOf(CircuitOpenException);
    expect(faults.calls.count ?? 0).toBe(0);
    clock.now = 1000;
    expect(guarded.circuitState).toBe('half-open');
    await guarded.count(undefined, usersTable);
    expect(guarded.stats()).toMatchObject({
      circuitState: 'closed',
      circuit: { opened: 1, rejected: 1 },
    });
  });

  it('a ValidationException never closes an open circuit: during half-open a ping is the trial', async () => {
    const clock = { now: 0 };
    const guarded = new ResilientAdapter(faults.adapter, {
      retry: { connectionAttempts: 1 },
      circuitBreaker: { failureThreshold: 1, cooldownMs: 1000, now: () => clock.now },
    });
    faults.failNext('count', lost);
    await expect(guarded.count(undefined, usersTable)).rejects.toBeInstanceOf(ConnectionException);
    expect(guarded.circuitState).toBe('open');
    clock.now = 1000;
    // The database is still down: the trial ping fails, and the call is not made at all.
    faults.failNext('ping', lost);
    await expect(guarded.findMany({ filters: { nope: 1 } }, usersTable)).rejects.toBeInstanceOf(
      ConnectionException,
    );
    expect(guarded.circuitState).toBe('open');
    expect(faults.calls.findMany ?? 0).toBe(0);
    clock.now = 3000;
    // It is back: the ping closes the circuit; the planner then refuses the unknown filter key.
    await expect(guarded.findMany({ filters: { nope: 1 } }, usersTable)).rejects.toBeInstanceOf(
      ValidationException,
    );
    expect(guarded.circuitState).toBe('closed');
    expect(faults.calls.ping).toBe(1);
  });

  it('a transaction during half-open is never the trial: a slow one does not reopen the circuit', async () => {
    const clock = { now: 0 };
    const guarded = new ResilientAdapter(faults.adapter, {
      retry: { connectionAttempts: 1 },
      circuitBreaker: {
        failureThreshold: 1,
        cooldownMs: 1000,
        trialTimeoutMs: 30,
        now: () => clock.now,
      },
    });
    faults.failNext('count', lost);
    await expect(guarded.count(undefined, usersTable)).rejects.toBeInstanceOf(ConnectionException);
    clock.now = 1000;
    // Work that takes longer than the trial's deadline (it awaits something slow) commits fine.
    const created = await guarded.transaction(async () => {
      await new Promise((resolve) => setTimeout(resolve, 90));
      return new UserRepository(guarded).create(userInput());
    });
    expect(created.id).toBeDefined();
    expect(guarded.stats().circuit).toMatchObject({ state: 'closed', opened: 1 });
    expect(faults.calls.ping).toBe(1);
  });

  it('pool exhaustion and a closed adapter do not open the circuit', async () => {
    const guarded = new ResilientAdapter(faults.adapter, {
      retry: { connectionAttempts: 1 },
      circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 },
    });
    const exhausted = () =>
      new ConnectionException('no pooled connection became free', {
        details: { sent: false, poolExhausted: true },
      });
    const closed = () =>
      new ConnectionException('the adapter is closed', { details: { closed: true } });
    faults.failNext('count', exhausted, 5);
    faults.failNext('findById', closed, 5);
    for (let i = 0; i < 5; i++) {
      await expect(guarded.count(undefined, usersTable)).rejects.toMatchObject({
        details: { poolExhausted: true },
      });
      await expect(guarded.findById('x', usersTable)).rejects.toMatchObject({
        details: { closed: true },
      });
    }
    expect(guarded.stats().circuit).toMatchObject({ state: 'closed', consecutiveFailures: 0 });
  });

  it('ping is a probe: it reaches the database while the circuit is open, and its success closes it', async () => {
    const clock = { now: 0 };
    const guarded = new ResilientAdapter(faults.adapter, {
      retry: { connectionAttempts: 1 },
      circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000, now: () => clock.now },
    });
    faults.failNext('count', lost, 2);
    for (let i = 0; i < 2; i++)
      await expect(guarded.count(undefined, usersTable)).rejects.toBeInstanceOf(
        ConnectionException,
      );
    expect(guarded.circuitState).toBe('open');
    faults.failNext('ping', lost);
    await expect(guarded.ping()).rejects.not.toBeInstanceOf(CircuitOpenException);
    expect(guarded.stats().circuit).toMatchObject({ state: 'open', opened: 1 });
    await expect(guarded.ping()).resolves.toBeUndefined();
    expect(faults.calls.ping).toBe(1);
    expect(guarded.circuitState).toBe('closed');
    await expect(guarded.count(undefined, usersTable)).resolves.toBe(0);
  });

  it('refuses oversized input with a ValidationException before it reaches the database', async () => {
    const huge = 'x'.repeat(10 * 1024 * 1024);
    await expect(users.create(userInput({ lastName: huge }))).rejects.toBeInstanceOf(
      ValidationException,
    );
    const webhooks = new WebhookRepository(adapter);
    await expect(
      webhooks.recordIfNew({ stripeEventId: 'evt_big', eventType: 'x', payload: { blob: huge } }),
    ).rejects.toBeInstanceOf(ValidationException);
    await expect(
      adapter.findMany({ filters: { search: huge } }, usersTable),
    ).rejects.toBeInstanceOf(ValidationException);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = { deep };
    await expect(
      webhooks.recordIfNew({
        stripeEventId: 'evt_deep',
        eventType: 'x',
        payload: deep as Record<string, unknown>,
      }),
    ).rejects.toBeInstanceOf(ValidationException);
    expect(faults.calls.create ?? 0).toBe(0);
    expect(faults.calls.upsert ?? 0).toBe(0);
  });
});
