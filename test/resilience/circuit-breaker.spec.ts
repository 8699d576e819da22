import {
  CircuitOpenException,
  ConnectionException,
  RecordNotFoundException,
  UniqueConstraintException,
  ValidationException,
} from '../../src/exceptions';
import {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
} from '../../src/resilience';

const down = () => new ConnectionException('down');
const timedOut = () => new ConnectionException('timed out', { details: { timeout: true } });
const invalid = () => new ValidationException('bad filter', 'email');
/** The application's own load, not the database's health: every pooled connection was busy. */
const poolExhausted = () =>
  new ConnectionException('no pooled connection became free', {
    details: { sent: false, poolExhausted: true },
  });
/** A call made after the adapter was closed. */
const adapterClosed = () =>
  new ConnectionException('the adapter is closed', { details: { closed: true } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function breakerWithClock(
  failureThreshold = 3,
  cooldownMs = 1000,
  more: CircuitBreakerOptions = {},
) {
  const clock = { now: 0 };
  const changes: Array<[CircuitState, CircuitState]> = [];
  const breaker = new CircuitBreaker({
    failureThreshold,
    initialCooldownMs: cooldownMs,
    maxCooldownMs: cooldownMs,
    now: () => clock.now,
    onStateChange: (state, previous) => changes.push([state, previous]),
    ...more,
  });
  return { breaker, clock, changes };
}

/** Runs one call through the breaker that fails with `error`, and returns the rejection. */
function failThrough(breaker: CircuitBreaker, error: unknown): Promise<unknown> {
  return breaker.run(() => Promise.reject(error)).catch((e: unknown) => e);
}

/** A call that settles only when told to. */
function pending<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('CircuitBreaker', () => {
  it('opens after N consecutive connection failures and then fails fast', () => {
    const { breaker } = breakerWithClock(3);
    for (let i = 0; i < 3; i++) {
      breaker.acquire();
      breaker.onFailure(down());
    }
    expect(breaker.state).toBe('open');
    expect(() => breaker.acquire()).toThrow(CircuitOpenException);
    expect(breaker.stats()).toMatchObject({
      state: 'open',
      opened: 1,
      rejected: 1,
      consecutiveFailures: 3,
    });
  });

  it('counts timeouts like connection failures', async () => {
    const { breaker } = breakerWithClock(2);
    await failThrough(breaker, timedOut());
    await failThrough(breaker, down());
    expect(breaker.state).toBe('open');
  });

  it('counts only connection failures and timeouts; other errors neither count nor reset the count', async () => {
    const { breaker } = breakerWithClock(2);
    breaker.onFailure(down());
    breaker.onSuccess();
    breaker.onFailure(down());
    for (const error of [
      new UniqueConstraintException('users', 'email'),
      new RecordNotFoundException('users', 'x'),
      invalid(),
      new CircuitOpenException('open elsewhere'),
      new TypeError('a bug'),
    ]) {
      await failThrough(breaker, error);
      expect(breaker.state).toBe('closed');
    }
    expect(breaker.stats().consecutiveFailures).toBe(1);
    breaker.onFailure(down());
    expect(breaker.state).toBe('open');
  });

  it('pool exhaustion and a closed adapter neither open the circuit nor count towards it', async () => {
    const { breaker } = breakerWithClock(2);
    await failThrough(breaker, down());
    for (let i = 0; i < 5; i++) {
      await failThrough(breaker, poolExhausted());
      await failThrough(breaker, adapterClosed());
    }
    expect(breaker.stats()).toMatchObject({ state: 'closed', consecutiveFailures: 1, opened: 0 });
    // Nor do they reset the count: the next real failure opens the circuit.
    await failThrough(breaker, down());
    expect(breaker.state).toBe('open');
  });

  it('pool exhaustion during half-open does not decide the trial, and frees it', async () => {
    const { breaker, clock } = breakerWithClock(1, 1000);
    await failThrough(breaker, down());
    clock.now = 1000;
    await failThrough(breaker, poolExhausted());
    expect(breaker.state).toBe('half-open');
    await failThrough(breaker, adapterClosed());
    expect(breaker.state).toBe('half-open');
    await breaker.run(() => Promise.resolve());
    expect(breaker.state).toBe('closed');
  });

  it('with a trial call given, a half-open run is decided by it, not by the call', async () => {
    const { breaker, clock } = breakerWithClock(1, 1000, { trialTimeoutMs: 30 });
    await failThrough(breaker, down());
    clock.now = 1000;
    const pings: string[] = [];
    const ping = () => {
      pings.push('ping');
      return Promise.resolve();
    };
    // A call slower than the trial's deadline (a long report, a transaction) is not judged by it.
    const slow = breaker.run(() => sleep(90).then(() => 'report'), ping);
    await expect(slow).resolves.toBe('report');
    expect(pings).toEqual(['ping']);
    expect(breaker.stats()).toMatchObject({ state: 'closed', opened: 1 });
    // Closed: the next call runs without a trial.
    await breaker.run(() => Promise.resolve(), ping);
    expect(pings).toEqual(['ping']);
  });

  it('a failing trial call reopens the circuit and the call never runs', async () => {
    const { breaker, clock } = breakerWithClock(1, 1000);
    await failThrough(breaker, down());
    clock.now = 1000;
    let ran = false;
    const outcome = breaker
      .run(
        async () => {
          ran = true;
        },
        () => Promise.reject(down()),
      )
      .catch((e: unknown) => e);
    await expect(outcome).resolves.toBeInstanceOf(ConnectionException);
    expect(ran).toBe(false);
    expect(breaker.stats()).toMatchObject({ state: 'open', opened: 2 });
  });

  it('lets one half-open trial through after the cool-down; its success closes the circuit', () => {
    const { breaker, clock, changes } = breakerWithClock(1, 1000);
    breaker.onFailure(down());
    clock.now = 999;
    expect(() => breaker.acquire()).toThrow(CircuitOpenException);
    clock.now = 1000;
    expect(breaker.state).toBe('half-open');
    breaker.acquire();
    expect(() => breaker.acquire()).toThrow(CircuitOpenException);
    breaker.onSuccess();
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual([
      ['open', 'closed'],
      ['half-open', 'open'],
      ['closed', 'half-open'],
    ]);
  });

  it('opens again for a full cool-down when the trial fails', () => {
    const { breaker, clock } = breakerWithClock(1, 1000);
    breaker.onFailure(down());
    clock.now = 1500;
    breaker.acquire();
    breaker.onFailure(down());
    expect(breaker.state).toBe('open');
    clock.now = 2400;
    expect(() => breaker.acquire()).toThrow(CircuitOpenException);
    clock.now = 2500;
    expect(() => breaker.acquire()).not.toThrow();
  });

  it('doubles the cool-down from a short first wait on each failed trial, up to the maximum, and starts short again once closed', async () => {
    const { breaker, clock } = breakerWithClock(1, 0, {
      initialCooldownMs: 500,
      maxCooldownMs: 3000,
    });
    const cooldowns: number[] = [];
    await failThrough(breaker, down());
    for (let i = 0; i < 5; i++) {
      const { cooldownMs } = breaker.stats();
      cooldowns.push(cooldownMs);
      clock.now += cooldownMs - 1;
      expect(breaker.state).toBe('open');
      clock.now += 1;
      expect(breaker.state).toBe('half-open');
      await failThrough(breaker, down());
    }
    expect(cooldowns).toEqual([500, 1000, 2000, 3000, 3000]);
    clock.now += 3000;
    await breaker.run(() => Promise.resolve());
    expect(breaker.state).toBe('closed');
    await failThrough(breaker, down());
    expect(breaker.stats().cooldownMs).toBe(500);
  });

  it('defaults to a 500 ms first cool-down growing to 10 s; cooldownMs alone still sets the longest wait', () => {
    expect(new CircuitBreaker().stats()).toMatchObject({ cooldownMs: 500, maxCooldownMs: 10_000 });
    expect(new CircuitBreaker({ cooldownMs: 30_000 }).stats()).toMatchObject({
      cooldownMs: 500,
      maxCooldownMs: 30_000,
    });
    // A cooldownMs shorter than the default first wait is a fixed cool-down, as it was.
    expect(new CircuitBreaker({ cooldownMs: 200 }).stats()).toMatchObject({
      cooldownMs: 200,
      maxCooldownMs: 200,
    });
    expect(
      new CircuitBreaker({ cooldownMs: 5_000, maxCooldownMs: 20_000 }).stats().maxCooldownMs,
    ).toBe(20_000);
  });

  it('a validation error during half-open neither closes nor reopens the circuit, and frees the trial', async () => {
    const { breaker, clock } = breakerWithClock(1, 1000);
    await failThrough(breaker, down());
    clock.now = 1000;
    await expect(failThrough(breaker, invalid())).resolves.toBeInstanceOf(ValidationException);
    expect(breaker.state).toBe('half-open');
    await failThrough(breaker, new UniqueConstraintException('users', 'email'));
    expect(breaker.state).toBe('half-open');
    // The next call is the trial, and it decides.
    await failThrough(breaker, down());
    expect(breaker.state).toBe('open');
  });

  it('a validation error while open does not close the circuit', async () => {
    const { breaker } = breakerWithClock(1, 1000);
    await failThrough(breaker, down());
    breaker.onFailure(invalid());
    expect(breaker.state).toBe('open');
  });

  it('reopens the circuit when the trial does not settle in time; the trial still settles for its caller', async () => {
    const { breaker, clock, changes } = breakerWithClock(1, 1000, {
      initialCooldownMs: 1000,
      maxCooldownMs: 8000,
      trialTimeoutMs: 30,
    });
    await failThrough(breaker, down());
    clock.now = 1000;
    const stuck = pending<string>();
    const trial = breaker.run(() => stuck.promise);
    expect(() => breaker.acquire()).toThrow(CircuitOpenException);
    await sleep(80);
    expect(breaker.state).toBe('open');
    expect(breaker.stats()).toMatchObject({ opened: 2, cooldownMs: 2000 });
    // Settling late changes nothing: the deadline already judged the trial.
    stuck.resolve('late');
    await expect(trial).resolves.toBe('late');
    expect(breaker.state).toBe('open');
    clock.now = 3000;
    await breaker.run(() => Promise.resolve());
    expect(breaker.state).toBe('closed');
    expect(changes.map(([state]) => state)).toEqual([
      'open',
      'half-open',
      'open',
      'half-open',
      'closed',
    ]);
  });

  it('a trial failing after its deadline does not reopen or lengthen anything', async () => {
    const { breaker, clock } = breakerWithClock(1, 1000, { trialTimeoutMs: 20 });
    await failThrough(breaker, down());
    clock.now = 1000;
    const stuck = pending<void>();
    const trial = breaker.run(() => stuck.promise).catch((e: unknown) => e);
    await sleep(60);
    clock.now = 3000;
    await breaker.run(() => Promise.resolve());
    expect(breaker.state).toBe('closed');
    stuck.reject(down());
    await expect(trial).resolves.toBeInstanceOf(ConnectionException);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().consecutiveFailures).toBe(0);
  });

  it('lets probes through while open; a probe that succeeds closes the circuit, one that fails leaves the cool-down as it was', async () => {
    const { breaker, clock } = breakerWithClock(1, 1000);
    await failThrough(breaker, down());
    clock.now = 400;
    await expect(breaker.probe(() => Promise.reject(down()))).rejects.toBeInstanceOf(
      ConnectionException,
    );
    expect(breaker.stats()).toMatchObject({ state: 'open', opened: 1 });
    clock.now = 999;
    expect(breaker.state).toBe('open');
    await expect(breaker.probe(() => Promise.resolve('pong'))).resolves.toBe('pong');
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().rejected).toBe(0);
  });

  it('counts failed probes while closed, like any call', async () => {
    const { breaker } = breakerWithClock(2);
    await breaker.probe(() => Promise.reject(down())).catch(() => undefined);
    await breaker.probe(() => Promise.reject(down())).catch(() => undefined);
    expect(breaker.state).toBe('open');
  });

  it('rejects nonsense options', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(TypeError);
    expect(() => new CircuitBreaker({ cooldownMs: -5 })).toThrow(TypeError);
    expect(() => new CircuitBreaker({ initialCooldownMs: Number.NaN })).toThrow(TypeError);
    expect(() => new CircuitBreaker({ trialTimeoutMs: 0 })).toThrow(TypeError);
    expect(() => new CircuitBreaker({ initialCooldownMs: 2000, maxCooldownMs: 1000 })).toThrow(
      TypeError,
    );
  });
});
