import { performance } from 'node:perf_hooks';
import { DatabaseException } from '../exceptions/database.exception';
import type {
  AppliedMigration,
  MigrationDriver,
  MigrationSession,
} from './migration-driver.interface';
import { loadMigrationSet, migrationFolders, type MigrationFile } from './migration-files';
import {
  formatMigration,
  MigrationChecksumMismatchException,
  MigrationException,
} from './migration.exception';

/** Options of {@link MigrationRunner}. */
export interface MigrationRunnerOptions {
  /**
   * The folder of `<version>_<name>.up.sql` / `.down.sql` files.
   * Default is the library's own `migrations/<dialect>` ({@link defaultMigrationsDirectory}).
   */
  directory?: string;
  /**
   * The application's migration folders, each laid out as the library's: the runner reads its
   * `<dialect>` subfolder (`sqlite/` or `postgres/`), when present. They are merged with
   * `directory` by version; one version in two folders is an error. Default is none.
   */
  appDirectories?: readonly string[];
  /** Receives one line per migration as it is applied or reverted. Default discards them. */
  log?: (line: string) => void;
}

/** What one migration step did. */
export interface MigrationResult {
  readonly version: number;
  readonly name: string;
  /** `up` when it was applied, `down` when it was reverted. */
  readonly direction: 'up' | 'down';
  /** How long its transaction took, in milliseconds. */
  readonly durationMs: number;
}

/**
 * Where a migration stands:
 * - `applied`: recorded, and the file still has the recorded checksum;
 * - `pending`: a file not yet applied;
 * - `changed`: recorded, but the up file was edited since (up and down refuse to run);
 * - `missing`: recorded, but no file has its version (up and down refuse to run).
 */
export type MigrationState = 'applied' | 'pending' | 'changed' | 'missing';

/** One line of {@link MigrationRunner.status}. */
export interface MigrationStatus {
  readonly version: number;
  readonly name: string;
  readonly state: MigrationState;
  /** When it was applied (ISO-8601 UTC), or null when pending. */
  readonly appliedAt: string | null;
}

/**
 * Applies and reverts the versioned SQL migrations of one database, recording each in
 * `schema_migrations` (version, name, checksum, applied_at). Each migration runs in its own
 * transaction, under the driver's migration lock, and is skipped when the history shows another
 * runner applied it meanwhile, so concurrent runners never apply one twice.
 * An applied migration whose up file changed stops `up` and `down` with
 * {@link MigrationChecksumMismatchException}. Every failure is a {@link MigrationException} with
 * the driver's error as `cause`.
 *
 * @example
 * await new MigrationRunner(new SqliteMigrationDriver(db)).up();
 */
export class MigrationRunner {
  private readonly directories: readonly string[];
  private readonly log: (line: string) => void;

  constructor(
    private readonly driver: MigrationDriver,
    options: MigrationRunnerOptions = {},
  ) {
    this.directories = migrationFolders(driver.dialect, options.directory, options.appDirectories);
    this.log = options.log ?? (() => undefined);
  }

  /** Applies every pending migration in version order; returns those this call applied. */
  async up(): Promise<MigrationResult[]> {
    const files = await loadMigrationSet(this.directories);
    return this.withSession(true, async (session) => {
      await attempt(() => session.ensureHistoryTable(), 'Cannot create the history table');
      const applied = await readApplied(session);
      verify(files, applied);
      const done = new Set(applied.map((m) => m.version));
      const results: MigrationResult[] = [];
      for (const file of files) {
        if (done.has(file.version)) continue;
        const result = await this.step(session, file, 'up');
        if (result) results.push(result);
      }
      return results;
    });
  }

  /**
   * Reverts the last `steps` applied migrations, newest first; returns those this call reverted.
   * Default is one step; asking for more than are applied reverts them all.
   */
  async down(steps = 1): Promise<MigrationResult[]> {
    if (!Number.isSafeInteger(steps) || steps < 1) {
      throw new MigrationException(
        `The number of migrations to revert must be a positive integer, got ${steps}`,
        'MIGRATION_INVALID_ARGUMENT',
        { details: { steps } },
      );
    }
    const files = await loadMigrationSet(this.directories);
    const byVersion = new Map(files.map((f) => [f.version, f]));
    return this.withSession(true, async (session) => {
      const applied = await readApplied(session);
      verify(files, applied);
      const targets = applied.slice(-steps).reverse();
      const results: MigrationResult[] = [];
      for (const migration of targets) {
        const result = await this.step(session, byVersion.get(migration.version)!, 'down');
        if (result) results.push(result);
      }
      return results;
    });
  }

  /** The migrations `up` would apply, in order, with their SQL: what `up --dry-run` prints. */
  async pending(): Promise<MigrationFile[]> {
    const files = await loadMigrationSet(this.directories);
    const applied = await this.withSession(false, readApplied);
    verify(files, applied);
    const done = new Set(applied.map((m) => m.version));
    return files.filter((file) => !done.has(file.version));
  }

  /** Every migration on disk or in the history table, in version order, with its state. */
  async status(): Promise<MigrationStatus[]> {
    const files = await loadMigrationSet(this.directories);
    const applied = await this.withSession(false, readApplied);
    const recorded = new Map(applied.map((m) => [m.version, m]));
    const rows: MigrationStatus[] = files.map((file) => {
      const record = recorded.get(file.version);
      if (!record)
        return { version: file.version, name: file.name, state: 'pending', appliedAt: null };
      const state = record.checksum === file.checksum ? 'applied' : 'changed';
      return { version: file.version, name: file.name, state, appliedAt: record.appliedAt };
    });
    const onDisk = new Set(files.map((f) => f.version));
    for (const record of applied) {
      if (!onDisk.has(record.version)) {
        rows.push({ ...pick(record), state: 'missing', appliedAt: record.appliedAt });
      }
    }
    return rows.sort((a, b) => a.version - b.version);
  }

  private async step(
    session: MigrationSession,
    file: MigrationFile,
    direction: 'up' | 'down',
  ): Promise<MigrationResult | undefined> {
    const label = formatMigration(file.version, file.name);
    const started = performance.now();
    let changed: boolean;
    try {
      changed =
        direction === 'up'
          ? await session.applyUp(file, file.up)
          : await session.applyDown(file, file.down);
    } catch (error) {
      // The driver's own verdict (the lock wait gave up) says more than "failed to apply".
      if (error instanceof MigrationException) throw error;
      throw new MigrationException(
        `Migration ${label} failed ${direction === 'up' ? 'to apply' : 'to revert'} and was rolled back: ${messageOf(error)}`,
        'MIGRATION_FAILED',
        { cause: error, details: { version: file.version, name: file.name, direction } },
      );
    }
    if (!changed) {
      this.log(
        `skipped  ${label} (${direction === 'up' ? 'applied' : 'reverted'} by another runner)`,
      );
      return undefined;
    }
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    this.log(`${direction === 'up' ? 'applied ' : 'reverted'} ${label} (${durationMs} ms)`);
    return { version: file.version, name: file.name, direction, durationMs };
  }

  private async withSession<T>(
    exclusive: boolean,
    work: (session: MigrationSession) => Promise<T>,
  ): Promise<T> {
    const session = await attempt(
      () => this.driver.openSession({ exclusive }),
      exclusive
        ? 'Cannot open a migration session and take the migration lock'
        : 'Cannot open a migration session',
    );
    let result: T;
    try {
      result = await work(session);
    } catch (error) {
      // The work's error is the one worth reporting; a failed release is secondary here.
      await session.release().catch(() => undefined);
      throw error;
    }
    await attempt(() => session.release(), 'Cannot release the migration session');
    return result;
  }
}

async function readApplied(session: MigrationSession): Promise<AppliedMigration[]> {
  const applied = await attempt(() => session.listApplied(), 'Cannot read the history table');
  return [...applied].sort((a, b) => a.version - b.version);
}

/** Refuses to go on when the history table and the files disagree about the past. */
function verify(files: readonly MigrationFile[], applied: readonly AppliedMigration[]): void {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  for (const record of applied) {
    const file = byVersion.get(record.version);
    if (!file) {
      throw new MigrationException(
        `Migration ${formatMigration(record.version, record.name)} is applied but has no file in the migrations directory`,
        'MIGRATION_MISSING',
        { details: pick(record) },
      );
    }
    if (file.checksum !== record.checksum) {
      throw new MigrationChecksumMismatchException(
        record.version,
        record.name,
        record.checksum,
        file.checksum,
      );
    }
  }
}

async function attempt<T>(work: () => Promise<T>, message: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DatabaseException) throw error;
    throw new MigrationException(`${message}: ${messageOf(error)}`, 'MIGRATION_SESSION_FAILED', {
      cause: error,
    });
  }
}

function pick(record: AppliedMigration): { version: number; name: string } {
  return { version: record.version, name: record.name };
}

function messageOf(error: unknown): string {
  // Duck-typed: errors from native modules or other realms may not be instances of this Error.
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
