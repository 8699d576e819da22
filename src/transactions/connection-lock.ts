// The first-come, first-served lock that orders statements: a scope's statements and nested
// transactions, and on a single-connection engine, everything that uses the connection.
/** A waiter's two ways out. */
interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * A first-come, first-served lock. Acquiring a free lock is synchronous, so the common uncontended
 * path costs no extra await. A lock can be shut: its waiters and every later acquire then fail
 * with the shutdown's error, so nothing waits on a connection or transaction that is gone.
 */
export class ConnectionLock {
  private held = false;
  private readonly waiters: Waiter[] = [];
  private shutdown?: () => Error;

  /** True when someone holds the lock. */
  get isHeld(): boolean {
    return this.held;
  }

  /** How many callers wait for the lock. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Takes the lock if it is free (never once shut). */
  tryAcquire(): boolean {
    if (this.held || this.shutdown) return false;
    this.held = true;
    return true;
  }

  /** Resolves once the lock is taken by the caller; rejects once the lock is shut. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    if (this.shutdown) return Promise.reject(this.shutdown());
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Hands the lock to the next waiter, or frees it. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next.resolve();
    else this.held = false;
  }

  /**
   * Shuts the lock for good: every waiter and every later `acquire` rejects with a fresh error
   * from `error`. A holder may still call `release`, which then does nothing harmful.
   */
  shut(error: () => Error): void {
    if (this.shutdown) return;
    this.shutdown = error;
    this.held = false;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error());
  }
}
