/**
 * Every duration the library takes, in the module configuration or an adapter's options, is
 * refused past 2^31 - 1 ms: setTimeout fires a longer delay after 1 ms (a statement deadline
 * would cancel every statement at once, a request timeout would abort every request), and
 * PostgreSQL refuses such a statement_timeout or lock_timeout.
 */
import { SupabaseAdapter } from '../../src/adapters/supabase';
import { resolveDatabaseConfig } from '../../src/config';
import { ValidationException } from '../../src/exceptions';
import { CircuitBreaker, RetryPolicy } from '../../src/resilience';
import { problemsOf } from './config-problems';

const TOO_LONG = 2_147_483_648;
const LONGEST = 2_147_483_647;

describe('millisecond options past 2^31 - 1', () => {
  const postgres = { DATABASE_PROVIDER: 'postgres', DATABASE_URL: 'postgresql://u@h/db' };

  it.each([
    ['DATABASE_CONNECT_WAIT_MS', 0],
    ['DATABASE_MIGRATION_LOCK_TIMEOUT_MS', 0],
    ['DATABASE_PROBE_TIMEOUT_MS', 1],
    ['DATABASE_TRANSACTION_TIMEOUT_MS', 1],
    ['DATABASE_SLOW_QUERY_MS', 0],
    ['DATABASE_HEALTH_LATENCY_MS', 1],
    ['DATABASE_CIRCUIT_COOLDOWN_MS', 0],
  ])('%s is refused with a problem naming it and the limit', (name, min) => {
    const problems = problemsOf(() =>
      resolveDatabaseConfig({ env: { ...postgres, [name]: String(TOO_LONG) } }),
    );
    expect(problems).toEqual([
      `${name}=${TOO_LONG} must be a whole number of milliseconds from ${min} to ${LONGEST}`,
    ]);
    expect(() =>
      resolveDatabaseConfig({ env: { ...postgres, [name]: String(LONGEST) } }),
    ).not.toThrow();
  });

  it('module options are held to the same limit as the environment', () => {
    const problems = problemsOf(() =>
      resolveDatabaseConfig({
        env: postgres,
        transactionTimeoutMs: TOO_LONG,
        probe: { backoffMs: TOO_LONG },
        health: { checkTimeoutMs: TOO_LONG },
      }),
    );
    expect(problems).toEqual([
      `probe.backoffMs=${TOO_LONG} must be a whole number of milliseconds from 0 to ${LONGEST}`,
      `health.checkTimeoutMs=${TOO_LONG} must be a whole number of milliseconds from 1 to ${LONGEST}`,
      `DATABASE_TRANSACTION_TIMEOUT_MS=${TOO_LONG} must be a whole number of milliseconds from 1 to ${LONGEST}`,
    ]);
  });

  it('resilience options: a TypeError naming the option', () => {
    expect(() => new CircuitBreaker({ trialTimeoutMs: TOO_LONG })).toThrow(
      /CircuitBreakerOptions\.trialTimeoutMs .*2147483647/,
    );
    expect(() => new CircuitBreaker({ maxCooldownMs: TOO_LONG })).toThrow(TypeError);
    expect(() => new RetryPolicy({ backoffMaxMs: TOO_LONG })).toThrow(
      /RetryPolicyOptions\.backoffMaxMs .*2147483647/,
    );
    expect(() => new CircuitBreaker({ trialTimeoutMs: LONGEST })).not.toThrow();
  });

  it('Supabase: a request timeout past the limit is refused, not silently dropped', () => {
    const options = { url: 'https://abc.supabase.co', anonKey: 'anon' };
    for (const timeoutMs of [TOO_LONG, -1, 1.5]) {
      const attempt = () => new SupabaseAdapter({ ...options, timeoutMs });
      expect(attempt).toThrow(ValidationException);
      expect(attempt).toThrow(/timeoutMs must be .*2147483647/);
    }
    expect(() => new SupabaseAdapter({ ...options, timeoutMs: LONGEST })).not.toThrow();
    // 0 still means "no limit", as documented.
    expect(() => new SupabaseAdapter({ ...options, timeoutMs: 0 })).not.toThrow();
  });
});
