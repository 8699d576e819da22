import type { HealthCheckOutcome } from './database-health.interface';

/** The exception class, code and message behind a failed check, for its outcome's `error`. */
export function describeError(error: unknown): HealthCheckOutcome['error'] {
  const e = error as { name?: string; code?: unknown; message?: string };
  return {
    name: e?.name ?? 'Error',
    code: typeof e?.code === 'string' ? e.code : undefined,
    message: e?.message ?? String(error),
  };
}
