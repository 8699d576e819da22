import type { DatabaseException } from '../../exceptions';
import type { TableDefinition } from '../../schema/table-definition';
import { closedException } from '../../transactions/transaction-state';
import { mapPostgresError } from '../postgres/postgres-error.mapper';

/**
 * PGlite keeps the failed statement's text and bound values on its errors (`query`, `params`);
 * kept as `cause`, they would show row values in logs and `util.inspect`. Removed in place.
 */
const STATEMENT_FIELDS = ['query', 'params', 'queryOptions'];

/**
 * Turns a PGlite error into a library exception: PostgreSQL's own SQLSTATE mapping (PGlite raises
 * the server's errors with their codes), after dropping the statement and values PGlite attaches;
 * a call on a closed instance is the closed adapter's ConnectionException.
 */
export function mapPgliteError(
  error: unknown,
  context: { table?: TableDefinition<any> } = {},
): DatabaseException {
  if (typeof error === 'object' && error !== null) {
    const fields = error as Record<string, unknown>;
    for (const field of STATEMENT_FIELDS) delete fields[field];
    if (fields.code === undefined && /\bclosed\b/i.test(String(fields.message))) {
      return closedException({ cause: error });
    }
  }
  return mapPostgresError(error, context);
}
