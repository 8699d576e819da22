/** The databases the migration runner knows. */
export type MigrationDialect = 'sqlite' | 'postgres';

/** A migration as the history table records it. */
export interface MigrationRecord {
  /** The number the file name starts with. */
  readonly version: number;
  /** The rest of the file name, without the direction and extension: `create_users`. */
  readonly name: string;
  /** The sha256 (hex) of the up file, line endings normalised to `\n`. */
  readonly checksum: string;
}

/** A row of the history table: a migration that has been applied. */
export interface AppliedMigration extends MigrationRecord {
  /** When it was applied, as an ISO-8601 UTC string. */
  readonly appliedAt: string;
}

/** How a session is opened. */
export interface MigrationSessionOptions {
  /**
   * Whether the session's steps run under the migration lock, so no two runners change the same
   * database at once (Postgres takes it in each step's transaction; SQLite's BEGIN IMMEDIATE is
   * the lock). `status` reads without it.
   */
  readonly exclusive: boolean;
}

/**
 * One run's worth of migration work, opened by {@link MigrationDriver.openSession}.
 * Methods may throw the driver's own errors: the runner turns them into library exceptions.
 */
export interface MigrationSession {
  /** Creates the history table `schema_migrations` when it does not exist (under the lock). */
  ensureHistoryTable(): Promise<void>;
  /** The applied migrations in version order; empty when the history table does not exist yet. */
  listApplied(): Promise<AppliedMigration[]>;
  /**
   * Runs an up migration and records it, in one transaction. Returns false, changing nothing,
   * when the version is already recorded (another runner applied it meanwhile).
   */
  applyUp(migration: MigrationRecord, sql: string): Promise<boolean>;
  /**
   * Runs a down migration and removes its record, in one transaction. Returns false, changing
   * nothing, when the version is not recorded (another runner reverted it meanwhile).
   */
  applyDown(migration: MigrationRecord, sql: string): Promise<boolean>;
  /**
   * Releases whatever the session acquired itself. Never closes the connection or pool the
   * driver was given. Safe to call twice.
   */
  release(): Promise<void>;
}

/**
 * What the migration runner needs from a database: sessions that can lock, read the history table
 * and apply one migration per transaction. One implementation per dialect, in `drivers/`.
 */
export interface MigrationDriver {
  /** Which folder of SQL files this driver runs: `migrations/<dialect>`. */
  readonly dialect: MigrationDialect;
  /** Opens a session; with `exclusive`, its steps run under the migration lock. */
  openSession(options: MigrationSessionOptions): Promise<MigrationSession>;
}

/** The name of the table that records applied migrations. */
export const MIGRATIONS_TABLE = 'schema_migrations';
