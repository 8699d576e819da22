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
  /** The server, or undefined when it could not start outside CI (the reason was printed). */
  readonly server: ThrowawayPostgres | undefined;
}

/**
 * Starts a throwaway server before the file's tests and destroys it after them. When the binaries
 * exist but the server cannot start, it fails under `CI=true` and prints the reason elsewhere.
 */
export function useThrowawayPostgres(): ThrowawayServerSlot {
  const slot: { server: ThrowawayPostgres | undefined } = { server: undefined };
  beforeAll(async () => {
    try {
      slot.server = await startThrowawayPostgres();
    } catch (error) {
      if (process.env.CI === 'true') throw error;
      process.stdout.write(
        `[resilience] throwaway PostgreSQL could not start: ${(error as Error).message}\n`,
      );
    }
  }, 60_000);
  afterAll(async () => {
    await slot.server?.destroy();
  }, 30_000);
  return slot;
}
