import type { IDatabaseAdapter } from '../../../src/adapters/database-adapter.interface';

/** When an injected fault strikes relative to the real call. */
export type FaultTiming =
  /** Throw without calling the wrapped adapter: the statement was never sent. */
  | 'before'
  /** Run the real call, then throw: the work happened but the answer was lost. */
  | 'after';

interface ScheduledFault {
  method: string;
  error: () => unknown;
  times: number;
  timing: FaultTiming;
}

/** A real adapter with faults injected on chosen calls, and a count of real calls per method. */
export interface FaultInjector {
  adapter: IDatabaseAdapter;
  /** Makes the next `times` calls of `method` fail with a fresh `error()`. */
  failNext(method: string, error: () => unknown, times?: number, timing?: FaultTiming): void;
  /** How many times each method reached the wrapped adapter. */
  calls: Record<string, number>;
}

/**
 * Wraps a real adapter so tests can make chosen calls fail the way a driver would report it,
 * before or after the real work. Everything else goes to the real adapter unchanged.
 */
export function injectFaults(real: IDatabaseAdapter): FaultInjector {
  const faults: ScheduledFault[] = [];
  const calls: Record<string, number> = {};
  const adapter = new Proxy(real, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        const index = faults.findIndex((f) => f.method === property && f.times > 0);
        const fault = index >= 0 ? faults[index] : undefined;
        if (fault) fault.times -= 1;
        if (fault?.timing === 'before') return Promise.reject(fault.error());
        calls[property] = (calls[property] ?? 0) + 1;
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (fault?.timing === 'after') {
          return Promise.resolve(result).then(() => Promise.reject(fault.error()));
        }
        return result;
      };
    },
  });
  return {
    adapter,
    calls,
    failNext(method, error, times = 1, timing = 'before') {
      faults.push({ method, error, times, timing });
    },
  };
}
