import { DatabaseException, type DatabaseExceptionOptions } from './database.exception';

/**
 * The worker no longer holds the lease it acts on: its lease ended and another worker claimed
 * the record, or the record was finished by someone else. Whatever this worker did for the record
 * is not recorded; the current holder's outcome counts.
 */
export class LeaseLostException extends DatabaseException {
  constructor(
    readonly table: string,
    readonly id: string,
    /** The worker that asked. */
    readonly workerId: string,
    options: DatabaseExceptionOptions = {},
  ) {
    super(`${workerId} does not hold the lease on ${table} ${id}`, 'LEASE_LOST', {
      ...options,
      details: { table, id, workerId, ...options.details },
    });
  }
}
