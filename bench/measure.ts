import { performance } from 'node:perf_hooks';

/**
 * One way of doing an operation: through the library or through the raw driver. `run(i)` does
 * operation number `i`; it may return a promise (awaited) or a plain value (not awaited, so a
 * synchronous driver call pays no microtask the library does not also pay).
 */
export interface Contender {
  run(i: number): unknown;
  /** Untimed work before operation `i` (building a 10,000-row batch). Default is none. */
  prepare?(i: number): void;
}

/** How long and how often to measure. */
export interface MeasureSettings {
  /** Time spent running each contender before any trial counts, in milliseconds. */
  warmupMs: number;
  /** Number of timed trials per contender; the median is reported. */
  trials: number;
  /** Minimum length of one trial, in milliseconds. */
  trialMs: number;
  /** Minimum operations per trial, however long they take. */
  minOpsPerTrial: number;
}

/** The median ops/s of each contender of one row, and how many operations were timed. */
export interface PairResult {
  opsPerSecond: number[];
  /**
   * Each contender against the first: the median over trials of the ratio of their rates in the
   * same round. Rounds run back to back, so both sides of a ratio saw the same machine load.
   */
  ratios: number[];
  /** Mean time of one operation at the median, in microseconds. */
  microsPerOp: number[];
  operations: number[];
}

let counter = 0;

/** A counter shared by all trials, so every operation gets a fresh `i` (unique emails, ids). */
function nextIndex(): number {
  return counter++;
}

/**
 * Runs `contender` until `ms` milliseconds and `minOps` operations have passed, and returns the
 * elapsed time and the number of operations. With `prepare`, only `run` is timed.
 */
async function trial(
  contender: Contender,
  ms: number,
  minOps: number,
): Promise<{ elapsed: number; ops: number }> {
  let ops = 0;
  let elapsed = 0;
  if (contender.prepare) {
    while (elapsed < ms || ops < minOps) {
      const i = nextIndex();
      contender.prepare(i);
      const start = performance.now();
      const result = contender.run(i);
      if (result instanceof Promise) await result;
      elapsed += performance.now() - start;
      ops++;
    }
    return { elapsed, ops };
  }
  const start = performance.now();
  while (elapsed < ms || ops < minOps) {
    const result = contender.run(nextIndex());
    if (result instanceof Promise) await result;
    ops++;
    elapsed = performance.now() - start;
  }
  return { elapsed, ops };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Measures contenders side by side: a warm-up of each, then trials that alternate between them
 * (rotating who goes first), so drift in the machine or the database file affects all alike.
 */
export async function measure(
  contenders: readonly Contender[],
  settings: MeasureSettings,
): Promise<PairResult> {
  for (const contender of contenders) await trial(contender, settings.warmupMs, 1);
  const rates: number[][] = contenders.map(() => []);
  const counts = contenders.map(() => 0);
  for (let t = 0; t < settings.trials; t++) {
    for (let k = 0; k < contenders.length; k++) {
      const index = (k + t) % contenders.length;
      const { elapsed, ops } = await trial(
        contenders[index],
        settings.trialMs,
        settings.minOpsPerTrial,
      );
      rates[index].push((ops * 1000) / elapsed);
      counts[index] += ops;
    }
  }
  const opsPerSecond = rates.map(median);
  return {
    opsPerSecond,
    ratios: rates.map((own) => median(own.map((rate, t) => rate / rates[0][t]))),
    microsPerOp: opsPerSecond.map((rate) => 1e6 / rate),
    operations: counts,
  };
}
