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
  /** Consecutive connection failures (timeouts included) that open the circuit. Default is 5. */
  failureThreshold?: number;
  /**
   * The first cool-down, in ms: how long the circuit stays open before a trial call the first
   * time it opens. It doubles each time a trial fails, up to {@link maxCooldownMs}. Default is
   * 500, or `maxCooldownMs` when that is shorter.
   */
  initialCooldownMs?: number;
  /** The longest cool-down, in ms. Default is `cooldownMs`, else 10000. */
  maxCooldownMs?: number;
  /**
   * The longest cool-down, in ms: the older name of {@link maxCooldownMs}, which wins when both
   * are given. Alone and shorter than 500, it is a fixed cool-down, as it always was.
   */
  cooldownMs?: number;
  /**
   * How long a half-open trial call may take, in ms. A trial that has not settled by then counts
   * as a failure and opens the circuit again (the call itself still settles for its caller).
   * Under {@link ResilientAdapter} the trial is a `ping()`, never the caller's own call, so this
   * bounds one round trip (a new connection included), not a statement or a transaction.
   * Default is 5000.
   */
  trialTimeoutMs?: number;
  /** Called on every state change (logs, metrics). Default is none. */
  onStateChange?: (state: CircuitState, previous: CircuitState) => void;
  /** The clock for cool-downs, in ms. Default is `Date.now`. */
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
  /** The cool-down of the current opening, or of the next one while closed, in ms. */
  cooldownMs: number;
  /** The longest cool-down, in ms. */
  maxCooldownMs: number;
  /** When the circuit last opened (ISO-8601), if it ever did. */
  openedAt?: string;
}

/**
 * Leave to make one call, from {@link CircuitBreaker.acquire}: hand it back with the call's
 * outcome, so that the outcome of a trial the deadline already judged is ignored.
 */
export interface CircuitPermit {
  /** Whether this call is the half-open trial that decides the circuit's state. */
  readonly trial: boolean;
}

/** The permit of every call that is not a trial: they share it, as nothing tells them apart. */
const ORDINARY: CircuitPermit = Object.freeze({ trial: false });

/**
 * Whether a failure tells that the database is unreachable: a connection failure or a timeout,
 * whether the request reached the server or never got there. Anything else says nothing about
 * the database's health: validation, constraint, not found, a bug; a CircuitOpenException (a
 * breaker's own verdict, not a new fact); no pooled connection free in time
 * (`details.poolExhausted`: the application's own load, or transactions it left open); a call on
 * a closed adapter (`details.closed`).
 */
export function countsAgainstCircuit(error: unknown): boolean {
  if (!(error instanceof ConnectionException) || error instanceof CircuitOpenException) {
    return false;
  }
  return error.details?.poolExhausted !== true && error.details?.closed !== true;
}

/**
 * Stops calling a database that is down: after `failureThreshold` consecutive connection failures
 * it opens, and every call fails fast with {@link CircuitOpenException}; after a cool-down one
 * half-open trial call runs, and its outcome closes the circuit or opens it again for twice the
 * cool-down (from `initialCooldownMs` up to `maxCooldownMs`).
 *
 * - Only connection failures and timeouts count ({@link countsAgainstCircuit}); other errors
 *   neither count, nor reset the count, nor decide a trial (the next call becomes the trial).
 * - A trial has `trialTimeoutMs` to settle; one that hangs counts as failed. {@link run} takes a
 *   separate trial call (a ping), so that a call whose length says nothing about the database
 *   (a slow report, a transaction awaiting other work) is never judged by that deadline.
 * - {@link probe} calls (health pings) are never failed fast, and their success closes the
 *   circuit: a health check sees the database as it is, and its first success ends the outage.
 *
 * The only timer is a trial's deadline, so an idle application costs nothing.
 */
export class CircuitBreaker {
  private readonly failureThreshold: number;
  private readonly initialCooldownMs: number;
  private readonly maxCooldownMs: number;
  private readonly trialTimeoutMs: number;
  private readonly onStateChange?: (state: CircuitState, previous: CircuitState) => void;
  private readonly now: () => number;
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAtMs = 0;
  private cooldownMs: number;
  /** Openings since the circuit was last closed: each one doubles the cool-down. */
  private reopenings = 0;
  private trial: CircuitPermit | undefined;
  private trialTimer: NodeJS.Timeout | undefined;
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
    const legacy = millisOption(OWNER, 'cooldownMs', options.cooldownMs, 10_000);
    this.maxCooldownMs = millisOption(OWNER, 'maxCooldownMs', options.maxCooldownMs, legacy);
    const initial = millisOption(OWNER, 'initialCooldownMs', options.initialCooldownMs, 500);
    if (options.initialCooldownMs !== undefined && initial > this.maxCooldownMs) {
      throw new TypeError(`${OWNER}.initialCooldownMs must not exceed maxCooldownMs`);
    }
    this.initialCooldownMs = Math.min(initial, this.maxCooldownMs);
    this.cooldownMs = this.initialCooldownMs;
    this.trialTimeoutMs = millisOption(OWNER, 'trialTimeoutMs', options.trialTimeoutMs, 5_000);
    if (this.trialTimeoutMs === 0) throw new TypeError(`${OWNER}.trialTimeoutMs must be positive`);
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
   * Asks to make a call. Returns a permit when it may go ahead (then report the outcome with
   * {@link onSuccess} or {@link onFailure}, passing the permit); throws CircuitOpenException when
   * it must not. {@link run} does all three.
   */
  acquire(): CircuitPermit {
    if (this.current === 'closed') return ORDINARY;
    if (this.current === 'open') {
      if (this.now() - this.openedAtMs < this.cooldownMs) this.reject();
      this.transition('half-open');
    }
    // Half-open: exactly one trial at a time; the others fail fast until it has decided.
    if (this.trial) this.reject();
    const trial: CircuitPermit = { trial: true };
    this.trial = trial;
    this.trialTimer = setTimeout(() => {
      if (this.trial !== trial) return;
      this.failures += 1;
      this.open();
    }, this.trialTimeoutMs);
    this.trialTimer.unref();
    return trial;
  }

  /**
   * Reports that a call succeeded: the database answered, so the circuit closes. Without a
   * permit, a running trial is taken to be the call reporting.
   */
  onSuccess(permit?: CircuitPermit): void {
    if (this.isStale(permit)) return;
    this.failures = 0;
    this.reopenings = 0;
    this.clearTrial();
    this.transition('closed');
  }

  /**
   * Reports a failed call. Connection failures and timeouts count towards opening the circuit,
   * and a failed trial opens it again; any other error only frees the trial slot.
   */
  onFailure(error: unknown, permit?: CircuitPermit): void {
    if (this.isStale(permit)) return;
    const isTrial = this.trial !== undefined && (permit === undefined || permit === this.trial);
    if (!countsAgainstCircuit(error)) {
      if (isTrial) this.clearTrial();
      return;
    }
    this.failures += 1;
    // Calls that were in flight when it opened must not push the cool-down further out.
    if (isTrial || (this.current === 'closed' && this.failures >= this.failureThreshold)) {
      this.open();
    }
  }

  /**
   * Runs `call` if the circuit lets it, and reports its outcome. With `trial` given, a half-open
   * circuit is decided by `trial` (a ping) before `call` runs as an ordinary call; a failing
   * trial rejects with its error, and `call` does not run.
   */
  async run<R>(call: () => Promise<R>, trial?: () => Promise<unknown>): Promise<R> {
    let permit = this.acquire();
    if (permit.trial && trial) {
      await this.report(trial, permit);
      // Closed now, unless the trial outlived its deadline and the circuit opened again.
      permit = this.acquire();
    }
    return this.report(call, permit);
  }

  /**
   * Runs `call` whatever the state (a health ping, or the commit of a transaction that already
   * went through): it is never failed fast, its success closes the circuit, and its failure
   * counts only while the circuit is closed, so probing an open circuit never lengthens it.
   */
  probe<R>(call: () => Promise<R>): Promise<R> {
    return this.report(call, ORDINARY);
  }

  /** A snapshot of the state and counters. */
  stats(): CircuitBreakerStats {
    const stats: CircuitBreakerStats = {
      state: this.state,
      consecutiveFailures: this.failures,
      opened: this.openedCount,
      rejected: this.rejectedCount,
      cooldownMs: this.current === 'closed' ? this.initialCooldownMs : this.cooldownMs,
      maxCooldownMs: this.maxCooldownMs,
    };
    if (this.openedCount > 0) stats.openedAt = new Date(this.openedAtMs).toISOString();
    return stats;
  }

  private async report<R>(call: () => Promise<R>, permit: CircuitPermit): Promise<R> {
    try {
      const result = await call();
      this.onSuccess(permit);
      return result;
    } catch (error) {
      this.onFailure(error, permit);
      throw error;
    }
  }

  /** A trial's permit that its deadline (or another outcome) has already replaced. */
  private isStale(permit: CircuitPermit | undefined): boolean {
    return permit !== undefined && permit.trial && permit !== this.trial;
  }

  private open(): void {
    this.clearTrial();
    this.cooldownMs = Math.min(this.maxCooldownMs, this.initialCooldownMs * 2 ** this.reopenings);
    this.reopenings += 1;
    this.openedAtMs = this.now();
    this.openedCount += 1;
    this.transition('open');
  }

  private clearTrial(): void {
    this.trial = undefined;
    clearTimeout(this.trialTimer);
    this.trialTimer = undefined;
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
