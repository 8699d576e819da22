import { DatabaseException, type DatabaseExceptionOptions } from '../exceptions/database.exception';

/** The machine-readable reasons a migration command fails. */
export type MigrationErrorCode =
  /** A migration's SQL (or recording it) failed; its transaction was rolled back. */
  | 'MIGRATION_FAILED'
  /** An applied migration's up file no longer has the checksum recorded when it ran. */
  | 'MIGRATION_CHECKSUM_MISMATCH'
  /** The database records a migration that has no file in the directory. */
  | 'MIGRATION_MISSING'
  /** The migrations directory cannot be read, or a file in it is misnamed or unpaired. */
  | 'MIGRATION_INVALID_FILE'
  /** Opening the session, taking the lock or reading the history table failed. */
  | 'MIGRATION_SESSION_FAILED'
  /** Another session held the migration lock for longer than the driver's lock timeout. */
  | 'MIGRATION_LOCK_TIMEOUT'
  /** A bad argument, such as a step count that is not a positive integer. */
  | 'MIGRATION_INVALID_ARGUMENT';

/**
 * A migration command failed. `code` says why; `details` carries the migration's version and name
 * when one is involved, and `cause` the driver's error.
 */
export class MigrationException extends DatabaseException {
  declare readonly code: MigrationErrorCode;

  constructor(message: string, code: MigrationErrorCode, options: DatabaseExceptionOptions = {}) {
    super(message, code, options);
  }
}

/**
 * An applied migration's file was edited after it ran. Applied migrations are history: change the
 * schema with a new migration instead, or revert it first with `down`.
 */
export class MigrationChecksumMismatchException extends MigrationException {
  /** The version whose file changed. */
  readonly version: number;
  /** The checksum recorded when the migration ran. */
  readonly recordedChecksum: string;
  /** The checksum of the file as it is now. */
  readonly fileChecksum: string;

  constructor(version: number, name: string, recordedChecksum: string, fileChecksum: string) {
    super(
      `Migration ${formatMigration(version, name)} was changed after it was applied ` +
        `(recorded checksum ${recordedChecksum.slice(0, 12)}…, file ${fileChecksum.slice(0, 12)}…)`,
      'MIGRATION_CHECKSUM_MISMATCH',
      { details: { version, name, recordedChecksum, fileChecksum } },
    );
    this.version = version;
    this.recordedChecksum = recordedChecksum;
    this.fileChecksum = fileChecksum;
  }
}

/** A migration as people read it: `0003_create_payments`. */
export function formatMigration(version: number, name: string): string {
  return `${String(version).padStart(4, '0')}_${name}`;
}
