/**
 * A first-come, first-served lock over one connection. Acquiring a free lock is synchronous, so
 * the common uncontended path costs no extra await.
 */
export class ConnectionLock {
  private held = false;
  private readonly waiters: Array<() => void> = [];

  /** True when someone holds the lock. */
  get isHeld(): boolean {
    return this.held;
  }

  /** How many callers wait for the lock. */
  get queueLength(): number {
    return this.waiters.length;
  }

  /** Takes the lock if it is free. */
  tryAcquire(): boolean {
    if (this.held) return false;
    this.held = true;
    return true;
  }

  /** Resolves once the lock is taken by the caller. */
  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Hands the lock to the next waiter, or frees it. */
  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }
}
