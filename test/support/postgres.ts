import {
  createThrowawayDatabase,
  type ThrowawayDatabase,
} from '../../src/testing/throwaway-postgres';

/** Why the PostgreSQL tests cannot run here, or undefined when they can. */
export const postgresSkipReason: string | undefined = process.env.TEST_PG_ADMIN_URL
  ? undefined
  : (process.env.TEST_PG_SKIP_REASON ?? 'TEST_PG_ADMIN_URL is not set (no global setup?)');

/**
 * `describe` when PostgreSQL is available, otherwise a skipped block whose title carries the
 * reason (global setup has printed it too, and under CI=true it fails the run instead).
 */
export const describeWithPostgres: (name: string, fn: () => void) => void = postgresSkipReason
  ? (name, fn) => describe.skip(`${name} [skipped: ${postgresSkipReason}]`, fn)
  : describe;

function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url) throw new Error(postgresSkipReason);
  return url;
}

/** A throwaway database, created for one test file and dropped after it. */
export type TestDatabase = ThrowawayDatabase;

/**
 * Creates an empty database with a unique name so parallel runs never see each other's rows: the
 * library's own test kit (`createThrowawayDatabase`) on the global setup's server, so the suite
 * uses what it ships. `_label` names the caller's purpose for the reader only.
 */
export function createTestDatabase(_label = 'test'): Promise<TestDatabase> {
  return createThrowawayDatabase(adminUrl());
}
