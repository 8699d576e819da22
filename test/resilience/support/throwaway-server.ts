import {
  startThrowawayPostgres,
  throwawayPostgresSkipReason,
  type ThrowawayPostgres,
} from '../../support/faults/throwaway-postgres';

/**
 * `describe` when a throwaway PostgreSQL server can be made here (its binaries are installed),
 * otherwise a skipped block whose title carries the printed reason.
 */
export function describeWithThrowawayPostgres(name: string, fn: () => void): void {
  const reason = throwawayPostgresSkipReason();
  if (!reason) {
    describe(name, fn);
    return;
  }
  process.stdout.write(`[resilience] skipped "${name}": ${reason}\n`);
  describe.skip(`${name} [skipped: ${reason}]`, fn);
}

/** A throwaway server for one test file: started in `beforeAll`, destroyed in `afterAll`. */
export interface ThrowawayServerSlot {
  /** The server; reading it throws when it did not start (the `beforeAll` failed, saying why). */
  readonly server: ThrowawayPostgres;
}

/**
 * Starts a throwaway server before the file's tests and destroys it after them. Where one can be
 * made (see {@link describeWithThrowawayPostgres}) a server that does not start fails the tests:
 * nothing passes without having run.
 */
export function useThrowawayPostgres(): ThrowawayServerSlot {
  let started: ThrowawayPostgres | undefined;
  beforeAll(async () => {
    started = await startThrowawayPostgres();
  }, 60_000);
  afterAll(async () => {
    await started?.destroy();
  }, 30_000);
  return {
    get server(): ThrowawayPostgres {
      if (!started) throw new Error('The throwaway PostgreSQL server did not start');
      return started;
    },
  };
}
