import { DatabaseException, type DatabaseExceptionOptions } from './database.exception';

/**
 * `aggregate()` on a provider that cannot run it: a Supabase project whose PostgREST does not
 * enable aggregate functions (`db-aggregates-enabled`), or an adapter not told that it does.
 */
export class AggregatesNotEnabledException extends DatabaseException {
  constructor(message: string, options: DatabaseExceptionOptions = {}) {
    super(message, 'AGGREGATES_NOT_ENABLED', options);
  }
}
