import { loadMigrationSet, type MigrationFile } from '../migrations/migration-files';
import type { CliIo } from './cli-command';

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  // Duck-typed: errors from native modules or other realms may not be instances of this Error.
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** Runs `work`; when it throws, prints `error: <message>` and gives undefined instead. */
export async function orPrintError<T>(
  work: () => T | Promise<T>,
  io: Pick<CliIo, 'stderr'>,
): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    io.stderr(`error: ${messageOf(error)}`);
    return undefined;
  }
}

/**
 * For a SQLite file that does not exist yet (and is not created): prints the `Database:` line
 * saying so, and gives the migrations of `folders`, every one pending; undefined, the error
 * printed, when they do not load.
 */
export async function migrationsOfUncreated(
  description: string,
  folders: readonly string[],
  io: Pick<CliIo, 'stdout' | 'stderr'>,
): Promise<MigrationFile[] | undefined> {
  io.stdout(`Database: ${description} (does not exist yet; "up" creates it)`);
  return orPrintError(() => loadMigrationSet(folders), io);
}
