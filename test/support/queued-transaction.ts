import type { IDatabaseAdapter } from '../../src/adapters/database-adapter.interface';

/**
 * Runs `observe` while one transaction holds the adapter's connection and a second one waits for
 * it (on SQLite and PGlite, the one connection; on PostgreSQL, a pool of one), then lets both
 * finish. Returns what `observe` returned.
 */
export async function whileOneWaits<R>(
  adapter: IDatabaseAdapter,
  observe: () => Promise<R>,
): Promise<R> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const first = adapter.transaction(() => held);
  const second = adapter.transaction(async () => undefined);
  // Lets the second transaction reach the connection's queue.
  await new Promise((resolve) => setImmediate(resolve));
  try {
    return await observe();
  } finally {
    release();
    await Promise.all([first, second]);
  }
}
