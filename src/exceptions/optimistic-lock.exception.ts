import { DatabaseException, type DatabaseExceptionOptions } from './database.exception';

/**
 * An update with `expectedVersion` found the row at another version: someone changed it since the
 * caller read it. Nothing was written. Read the row again (its `version` is `currentVersion`),
 * decide, and update with the new version. Not retryable as is: sending the same update again
 * fails the same way.
 */
export class OptimisticLockException extends DatabaseException {
  constructor(
    readonly table: string,
    readonly id: string,
    /** The version the caller expected the row to have. */
    readonly expectedVersion: number,
    /** The version the row had when the update missed. */
    readonly currentVersion: number,
    options: DatabaseExceptionOptions = {},
  ) {
    super(
      `${table} ${id} is at version ${currentVersion}, not ${expectedVersion}: it changed since it was read`,
      'OPTIMISTIC_LOCK',
      { ...options, details: { table, id, expectedVersion, currentVersion, ...options.details } },
    );
  }
}
