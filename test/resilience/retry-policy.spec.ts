import {
  CircuitOpenException,
  ConnectionException,
  QueryException,
  TransactionException,
  UniqueConstraintException,
  ValidationException,
} from '../../src/exceptions';
import {
  classifyFailure,
  RetryPolicy,
  type RetryCounters,
  wasNeverSent,
} from '../../src/resilience';

const fresh = (): RetryCounters => ({ connection: 0, timeout: 0, transaction: 0 });
const lost = () => new ConnectionException('lost', { details: { sqlState: '57P01' } });
const refused = () =>
  new ConnectionException('refused', {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
  });
const timedOut = () => new ConnectionException('timeout', { details: { sqlState: '57014' } });
const deadlock = () => new TransactionException('deadlock', { retryable: true });

/** Counts how many retries the policy allows in a row for the same failure. */
function retriesAllowed(
  policy: RetryPolicy,
  error: () => unknown,
  kind: Parameters<RetryPolicy['retryDelay']>[1],
): number {
  const counters = fresh();
  let retries = 0;
  while (policy.retryDelay(error(), kind, counters) !== undefined) retries += 1;
  return retries;
}

describe('classifyFailure', () => {
  it('sorts library exceptions by what a retry can do about them', () => {
    expect(classifyFailure(lost())).toBe('connection');
    expect(classifyFailure(timedOut())).toBe('timeout');
    expect(classifyFailure(new ConnectionException('t', { details: { timeout: true } }))).toBe(
      'timeout',
    );
    expect(classifyFailure(deadlock())).toBe('transaction');
    expect(classifyFailure(new QueryException('40001', { retryable: true }))).toBe('transaction');
    expect(classifyFailure(new UniqueConstraintException('users', 'email'))).toBe('fatal');
    expect(classifyFailure(new ValidationException('bad', 'email'))).toBe('fatal');
    expect(classifyFailure(new CircuitOpenException('open'))).toBe('fatal');
    expect(classifyFailure(new TransactionException('commit without begin'))).toBe('fatal');
    expect(classifyFailure(new Error('not ours'))).toBe('fatal');
  });

  it('takes details.sent === false, or a refused connection, as proof that nothing was sent', () => {
    expect(wasNeverSent(new ConnectionException('x', { details: { sent: false } }))).toBe(true);
    expect(wasNeverSent(refused())).toBe(true);
    const aggregate = Object.assign(
      new AggregateError([Object.assign(new Error('r'), { code: 'ECONNREFUSED' })]),
      {},
    );
    expect(wasNeverSent(new ConnectionException('x', { cause: aggregate }))).toBe(true);
    expect(wasNeverSent(new ConnectionException('x', { details: { sqlState: '57P03' } }))).toBe(
      true,
    );
    const deadClient = new Error('Client has encountered a connection error and is not queryable');
    expect(wasNeverSent(new ConnectionException('x', { cause: deadClient }))).toBe(true);
    const poolTimeout = new Error('timeout exceeded when trying to connect');
    expect(wasNeverSent(new ConnectionException('x', { cause: poolTimeout }))).toBe(true);
    expect(wasNeverSent(lost())).toBe(false);
    expect(
      wasNeverSent(
        new ConnectionException('x', { cause: refused().cause, details: { sent: true } }),
      ),
    ).toBe(false);
    expect(wasNeverSent(new QueryException('x'))).toBe(false);
  });
});

describe('RetryPolicy defaults (the design chart)', () => {
  const policy = new RetryPolicy({ random: () => 0.5 });

  it('gives connection failures of reads and upserts 3 attempts in all', () => {
    expect(retriesAllowed(policy, lost, 'read')).toBe(2);
    expect(retriesAllowed(policy, lost, 'idempotent-write')).toBe(2);
  });

  it('retries a plain write or a transaction after a connection failure only when it was never sent', () => {
    expect(retriesAllowed(policy, lost, 'write')).toBe(0);
    expect(retriesAllowed(policy, lost, 'transaction')).toBe(0);
    expect(retriesAllowed(policy, refused, 'write')).toBe(2);
    expect(retriesAllowed(policy, refused, 'transaction')).toBe(2);
  });

  it('retries timeouts twice, immediately, for reads only', () => {
    expect(retriesAllowed(policy, timedOut, 'read')).toBe(2);
    expect(policy.retryDelay(timedOut(), 'read', fresh())).toBe(0);
    expect(retriesAllowed(policy, timedOut, 'write')).toBe(0);
    expect(retriesAllowed(policy, timedOut, 'idempotent-write')).toBe(0);
  });

  it('re-runs aborted transactions 3 times after a random delay within the bounds', () => {
    expect(retriesAllowed(policy, deadlock, 'transaction')).toBe(3);
    const delay = policy.retryDelay(deadlock(), 'transaction', fresh())!;
    expect(delay).toBeGreaterThanOrEqual(policy.transactionDelayMinMs);
    expect(delay).toBeLessThanOrEqual(policy.transactionDelayMaxMs);
  });

  it('never retries constraint and validation errors', () => {
    for (const kind of ['read', 'write', 'idempotent-write', 'transaction'] as const) {
      expect(
        retriesAllowed(policy, () => new UniqueConstraintException('users', 'email'), kind),
      ).toBe(0);
      expect(retriesAllowed(policy, () => new ValidationException('bad', 'x'), kind)).toBe(0);
    }
  });

  it('backs off exponentially with jitter, capped', () => {
    const jittered = new RetryPolicy({
      connectionAttempts: 6,
      backoffBaseMs: 100,
      backoffMaxMs: 300,
      random: () => 1,
    });
    const counters = fresh();
    const delays = [0, 1, 2, 3].map(() => jittered.retryDelay(lost(), 'read', counters));
    expect(delays).toEqual([100, 200, 300, 300]);
    const low = new RetryPolicy({ backoffBaseMs: 100, random: () => 0 });
    expect(low.retryDelay(lost(), 'read', fresh())).toBe(50);
  });

  it('is configurable and rejects nonsense options', () => {
    const none = new RetryPolicy({
      connectionAttempts: 1,
      timeoutRetries: 0,
      transactionRetries: 0,
    });
    expect(retriesAllowed(none, lost, 'read')).toBe(0);
    expect(retriesAllowed(none, timedOut, 'read')).toBe(0);
    expect(retriesAllowed(none, deadlock, 'transaction')).toBe(0);
    expect(() => new RetryPolicy({ connectionAttempts: 0 })).toThrow(TypeError);
    expect(() => new RetryPolicy({ backoffBaseMs: -1 })).toThrow(TypeError);
  });
});
