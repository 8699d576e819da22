/** Thrown by {@link withTimeout} when the work does not settle in time. */
export class HealthCheckTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Timed out after ${timeoutMs}ms`);
    this.name = 'HealthCheckTimeoutError';
  }
}

/**
 * Settles like `work`, or rejects with {@link HealthCheckTimeoutError} after `timeoutMs`. The timer
 * is cleared however it ends, so a finished check never keeps the process alive.
 */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HealthCheckTimeoutError(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
