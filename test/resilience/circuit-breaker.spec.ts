import {
  CircuitOpenException,
  ConnectionException,
  UniqueConstraintException,
} from '../../src/exceptions';
import { CircuitBreaker, type CircuitState } from '../../src/resilience';

const down = () => new ConnectionException('down');

function breakerWithClock(failureThreshold = 3, cooldownMs = 1000) {
  const clock = { now: 0 };
  const changes: Array<[CircuitState, CircuitState]> = [];
  const breaker = new CircuitBreaker({
    failureThreshold,
    cooldownMs,
    now: () => clock.now,
    onStateChange: (state, previous) => changes.push([state, previous]),
  });
  return { breaker, clock, changes };
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

  it('counts only connection failures, and a success resets the count', () => {
    const { breaker } = breakerWithClock(2);
    breaker.onFailure(down());
    breaker.onSuccess();
    breaker.onFailure(down());
    breaker.onFailure(new UniqueConstraintException('users', 'email'));
    breaker.onFailure(down());
    expect(breaker.state).toBe('closed');
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

  it('rejects nonsense options', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(TypeError);
    expect(() => new CircuitBreaker({ cooldownMs: -5 })).toThrow(TypeError);
  });
});
