import { CircuitOpenException, ConnectionException } from '../exceptions';
import { integerOption, millisOption } from './option-checks';

const OWNER = 'CircuitBreakerOptions';

/**
 * The state of a {@link CircuitBreaker}: `closed` lets calls through, `open` fails them fast,
 * `half-open` lets one trial call through to decide between the two.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Options of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive connection failures that open the circuit. Default is 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before a trial call is let through, in ms. Default is 10000. */
  cooldownMs?: number;
  /** Called on every state change (logs, metrics). Default is none. */
  onStateChange?: (state: CircuitState, previous: CircuitState) => void;
  /** The clock, in ms. Default is `Date.now`. */
  now?: () => number;
}

/** A snapshot of a breaker's state and counters, for health checks and metrics. */
export interface CircuitBreakerStats {
  state: CircuitState;
  /** Connection failures in a row since the last success. */
  consecutiveFailures: number;
  /** How many times the circuit has opened. */
  opened: number;
  /** Calls failed fast with CircuitOpenException. */
  rejected: number;
  /** When the circuit last opened (ISO-8601), if it ever did. */
  openedAt?: string;
}

/**
 * Stops calling a database that is down: after `failureThreshold` consecutive connection failures
 * it opens, and every call fails fast with {@link CircuitOpenException} for `cooldownMs`; then one
 * half-open trial call runs, and its outcome closes the circuit or opens it again.
 *
 * Only {@link ConnectionException}s count as failures: a constraint error means the server
 * answered. The breaker holds no timers, so an idle application costs nothing.
 */
export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly cooldownMs: number;
  private readonly onStateChange?: (state: CircuitState, previous: CircuitState) => void;
  private readonly now: () => number;
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAtMs = 0;
  private trialRunning = false;
  private openedCount = 0;
  private rejectedCount = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = integerOption(
      OWNER,
      'failureThreshold',
      options.failureThreshold,
      5,
      1,
    );
    this.cooldownMs = millisOption(OWNER, 'cooldownMs', options.cooldownMs, 10_000);
    this.onStateChange = options.onStateChange;
    this.now = options.now ?? Date.now;
  }

  /** The state now; an open circuit whose cool-down has passed reads as `half-open`. */
  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAtMs >= this.cooldownMs) {
      return 'half-open';
    }
    return this.current;
  }

  /**
   * Asks to make a call. Returns normally when it may go ahead (then report the outcome with
   * {@link onSuccess} or {@link onFailure}); throws CircuitOpenException when it must not.
   */
  acquire(): void {
    if (this.current === 'closed') return;
    if (this.current === 'open') {
      if (this.now() - this.openedAtMs < this.cooldownMs) this.reject();
      this.transition('half-open');
    }
    // Half-open: exactly one trial at a time; the others fail fast until it has decided.
    if (this.trialRunning) this.reject();
    this.trialRunning = true;
  }

  /** Reports that a call reached the database (it may still have failed for another reason). */
  onSuccess(): void {
    this.failures = 0;
    if (this.current !== 'closed') {
      this.trialRunning = false;
      this.transition('closed');
    }
  }

  /** Reports a failed call; only connection failures count towards opening the circuit. */
  onFailure(error: unknown): void {
    if (!(error instanceof ConnectionException) || error instanceof CircuitOpenException) {
      this.onSuccess();
      return;
    }
    this.failures += 1;
    // Calls that were already in flight when it opened must not push the cool-down further out.
    if (this.current === 'open') return;
    if (this.current === 'half-open' || this.failures >= this.failureThreshold) {
      this.trialRunning = false;
      this.openedAtMs = this.now();
      this.openedCount += 1;
      this.transition('open');
    }
  }

  /** A snapshot of the state and counters. */
  stats(): CircuitBreakerStats {
    const stats: CircuitBreakerStats = {
      state: this.state,
      consecutiveFailures: this.failures,
      opened: this.openedCount,
      rejected: this.rejectedCount,
    };
    if (this.openedCount > 0) stats.openedAt = new Date(this.openedAtMs).toISOString();
    return stats;
  }

  private reject(): never {
    this.rejectedCount += 1;
    const retryInMs = Math.max(0, this.openedAtMs + this.cooldownMs - this.now());
    throw new CircuitOpenException(
      'The database is unavailable (circuit open after repeated connection failures); failing fast',
      { details: { retryInMs } },
    );
  }

  private transition(next: CircuitState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.onStateChange?.(next, previous);
  }
}
