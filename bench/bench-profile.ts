import type { MeasureSettings } from './measure';

/** The size of a run: a full one for the published table, a quick one for CI. */
export interface BenchProfile {
  name: 'full' | 'quick';
  /** Users seeded before measuring. */
  rows: number;
  /** Rows the deep pages skip: 90% of the seeded rows. */
  deepOffset: number;
  /** Rows per createMany call. */
  batchSize: number;
  /** Rows of the one createMany whose memory is measured in a process of its own. */
  memoryRows: number;
  settings: MeasureSettings;
  batchSettings: MeasureSettings;
}

/**
 * 100,000 users; fifteen trials of 200 ms after 300 ms of warm-up. Many short trials, alternating
 * between contenders, keep bursts of load from other processes from deciding a ratio.
 */
export const FULL_PROFILE: BenchProfile = {
  name: 'full',
  rows: 100_000,
  deepOffset: 90_000,
  batchSize: 10_000,
  memoryRows: 100_000,
  settings: { warmupMs: 300, trials: 15, trialMs: 200, minOpsPerTrial: 1 },
  batchSettings: { warmupMs: 0, trials: 7, trialMs: 0, minOpsPerTrial: 1 },
};

/** A smoke run that finishes well within a minute: 10,000 users, three short trials. */
export const QUICK_PROFILE: BenchProfile = {
  name: 'quick',
  rows: 10_000,
  deepOffset: 9_000,
  batchSize: 1_000,
  memoryRows: 10_000,
  settings: { warmupMs: 30, trials: 3, trialMs: 60, minOpsPerTrial: 1 },
  batchSettings: { warmupMs: 0, trials: 3, trialMs: 0, minOpsPerTrial: 1 },
};
