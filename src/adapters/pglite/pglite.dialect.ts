import { parseStoredTimestamp } from '../../query/timestamp';
import { postgresDialect } from '../postgres/postgres.dialect';
import type { SqlDialect } from '../sql/sql-dialect';

/**
 * PGlite is PostgreSQL, compiled to WebAssembly: the same SQL, the same placeholders and arrays,
 * and, with {@link PGLITE_PARSERS}, timestamptz read into a Date and json into values as
 * node-postgres does, so the PostgreSQL dialect serves it unchanged.
 */
export const pgliteDialect: SqlDialect = postgresDialect;

/** PostgreSQL's type oid of timestamptz. */
const TIMESTAMPTZ = 1184;

/**
 * How PGlite's client turns column text into values, where its own parsers differ from
 * node-postgres': its timestamptz parser reads year 1 as 2001, so timestamps are parsed exactly
 * here (`infinity` as ±Infinity, as node-postgres gives it; other text as is), and the dialect's
 * decoder then does what it does for PostgreSQL.
 */
export const PGLITE_PARSERS = {
  [TIMESTAMPTZ]: (text: string): unknown => {
    if (text === 'infinity') return Infinity;
    if (text === '-infinity') return -Infinity;
    const ms = parseStoredTimestamp(text);
    return ms === undefined ? text : new Date(ms);
  },
};
