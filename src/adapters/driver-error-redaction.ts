import type { TableDefinition } from '../schema/table-definition';
import { REDACTED } from './query-observer';

/** PostgreSQL's (and so PostgREST's) NOT NULL / CHECK detail: every value of the refused row. */
const ROW_DETAIL = /^Failing row contains \(/;
/** A key's detail: `Key (email)=(a@b.c) already exists.`, `Key (user_id)=(…) is not present …`. */
const KEY_DETAIL = /^Key \((.+?)\)=\(/;

/**
 * Removes row values from a driver error before a library exception keeps it as `cause`, where
 * logs, `util.inspect` and error reporters would show them. Reads the `detail` (node-postgres) and
 * `details` (PostgREST) fields and changes them in place:
 * - `Failing row contains (…)` is replaced whole, as a row can hold any secret;
 * - `Key (…)=(…)` keeps its column names (the mappers read them) and loses its values when one of
 *   the columns is sensitive in `table`, or when the table is not known (a COMMIT that failed on
 *   a deferred constraint), since nothing then says the values are harmless.
 * Anything else is left as it is. Safe to call twice.
 */
export function redactDriverDetails(error: unknown, table?: TableDefinition<any>): void {
  if (typeof error !== 'object' || error === null) return;
  const fields = error as Record<string, unknown>;
  for (const name of ['detail', 'details']) {
    const text = fields[name];
    if (typeof text !== 'string') continue;
    if (ROW_DETAIL.test(text)) {
      fields[name] = `Failing row contains (${REDACTED})`;
      continue;
    }
    const columns = KEY_DETAIL.exec(text)?.[1];
    const names = columns?.match(/[a-z_][a-z0-9_]*/g) ?? [];
    if (columns && (!table || names.some((column) => table.columnByName(column)?.sensitive))) {
      fields[name] = `Key (${columns})=(${REDACTED})`;
    }
  }
}
