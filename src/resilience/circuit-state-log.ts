import type { LoggerService } from '@nestjs/common';
import type { CircuitState } from './circuit-breaker';
import type { ResilienceOptions } from './resilient.adapter';

/** The line logged when the circuit enters each state; the cool-down is said where it applies. */
export const CIRCUIT_STATE_MESSAGES: Readonly<Record<CircuitState, string>> = {
  open: 'Database circuit open: the database is unreachable, calls fail fast until a trial ping succeeds',
  'half-open': 'Database circuit half-open: the cool-down is over, a trial ping decides',
  closed: 'Database circuit closed: the database answers again',
};

/**
 * The resilience options with one log line per circuit state change: a warning when it opens,
 * and a plain line when it goes half-open and when it closes. During an outage this is the whole
 * story in the log; the requests failed meanwhile are not logged one by one
 * (DatabaseExceptionFilter leaves CircuitOpenException out). An `onStateChange` of the caller's
 * own still runs, after the line.
 */
export function withCircuitLog(
  options: ResilienceOptions,
  logger: LoggerService,
): ResilienceOptions {
  const breaker = options.circuitBreaker;
  if (breaker === false) return options;
  const own = breaker?.onStateChange;
  return {
    ...options,
    circuitBreaker: {
      ...breaker,
      onStateChange: (state, previous) => {
        const message = `${CIRCUIT_STATE_MESSAGES[state]} (was ${previous})`;
        if (state === 'open') logger.warn(message);
        else logger.log(message);
        own?.(state, previous);
      },
    },
  };
}
