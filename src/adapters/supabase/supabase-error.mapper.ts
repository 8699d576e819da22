import {
  AuthenticationException,
  ConnectionException,
  type DatabaseException,
  ForeignKeyException,
  PermissionException,
  QueryException,
  UniqueConstraintException,
  ValidationException,
} from '../../exceptions';
import type { TableDefinition } from '../../schema/table-definition';
import { redactDriverDetails } from '../driver-error-redaction';
import { REQUEST_TIMEOUT_ERROR } from './supabase-client.factory';

/**
 * An error as supabase-js reports it: PostgREST's `{ code, message, details, hint }` body (fields
 * often null), `{ message }` for a non-JSON or gateway body, or `code: ''` for a fetch failure.
 */
export interface PostgrestFailure {
  code?: string | null;
  message?: string | null;
  details?: string | null;
  hint?: string | null;
}

/** A failed supabase-js result: the error and the HTTP status (0 when no response came back). */
export interface SupabaseFailure {
  error: PostgrestFailure;
  status: number;
}

/** PostgREST's "single row requested, got 0 or several" (406). */
export const PGRST_NOT_SINGULAR = 'PGRST116';
/** PostgREST's "range not satisfiable": an offset past the total, when a count was asked for (416). */
export const PGRST_RANGE_NOT_SATISFIABLE = 'PGRST103';
/** A unique violation: the one code upsert recovers from. */
export const PG_UNIQUE_VIOLATION = '23505';
/** PostgreSQL's statement timeout ("canceling statement due to statement timeout"). */
export const PG_STATEMENT_TIMEOUT = '57014';
/** The table is missing: PGRST205 from PostgREST v13, the Postgres code 42P01 before. */
export const TABLE_MISSING_CODES: ReadonlySet<string> = new Set(['PGRST205', '42P01']);

const VALIDATION_CODES = new Set(['22P02', '23502', '23514']);
// Serialization failures and deadlocks: running the request again may succeed.
const RETRYABLE_CODES = new Set(['40001', '40P01']);

function propertyOf(
  table: TableDefinition<any> | undefined,
  column: string | undefined,
): string | undefined {
  if (!column) return undefined;
  return table?.columnByName(column.trim())?.property;
}

/**
 * The property whose unique value is taken: from `Key (email)=(…)` in details, else from the
 * constraint or index name in the message (the longest unique column name it contains).
 */
function uniqueField(
  table: TableDefinition<any> | undefined,
  failure: PostgrestFailure,
): string | undefined {
  const key = /Key \((.+?)\)=\(/.exec(failure.details ?? '');
  if (key) {
    for (const column of key[1].split(',')) {
      const property = propertyOf(table, column);
      if (property) return property;
    }
  }
  const constraint = /constraint "([^"]+)"/.exec(failure.message ?? '')?.[1];
  if (!constraint || !table) return undefined;
  const matches = table.unique.filter((c) => constraint.includes(c.column));
  matches.sort((a, b) => b.column.length - a.column.length);
  return matches[0]?.property;
}

// Messages are fixed texts with the code: PostgREST's own message can carry the rejected value,
// and it stays available on `cause` for logs.
function describe(failure: PostgrestFailure, status: number): string {
  const code = failure.code ? ` ${failure.code}` : '';
  return `Supabase request failed (HTTP ${status}${code})`;
}

/**
 * Turns a failed supabase-js result into the library exception for it, with the PostgREST error
 * object as `cause`. Branches on `code` first (accepting the spellings of every PostgREST version),
 * then on the HTTP status for errors without one (HEAD responses have no body, the API gateway
 * answers `{ message }` only).
 */
export function mapSupabaseError(
  failure: SupabaseFailure,
  table?: TableDefinition<any>,
): DatabaseException {
  const { error, status } = failure;
  redactDriverDetails(error, table);
  const cause = error;
  const code = error.code ?? '';
  const name = table?.name ?? '';
  const prefix = name ? `${name}: ` : '';

  if (status === 0) {
    // supabase-js flattens the fetch failure into `"<name>: <message>"`; the request timeout of
    // boundedFetch is a TimeoutError, an abort by a caller's signal an AbortError.
    const timedOut = (error.message ?? '').startsWith(`${REQUEST_TIMEOUT_ERROR}:`);
    const aborted = (error.hint ?? '').includes('aborted') || /abort/i.test(error.message ?? '');
    const what = timedOut
      ? 'timed out'
      : aborted
        ? 'timed out or was aborted'
        : 'could not reach the server';
    // A refused or unresolvable connection proves the request never reached PostgREST, so the
    // retry policy may resend even a plain insert; a timeout proves nothing.
    const refused = /\((ECONNREFUSED|ENOTFOUND|EAI_AGAIN)\)/.test(error.details ?? '');
    return new ConnectionException(`${prefix}Supabase request ${what}`, {
      cause,
      details: { timeout: timedOut || aborted, ...(refused ? { sent: false } : {}) },
    });
  }
  if (code === PG_STATEMENT_TIMEOUT) {
    // HTTP 500 on every PostgREST version (class 57, "operator intervention"): the statement ran
    // and was cancelled, so it is a timeout (reads retried, writes not), not a lost connection.
    return new ConnectionException(`${prefix}Supabase statement timed out (${code})`, {
      cause,
      details: { timeout: true, sqlState: code },
    });
  }
  if (code === PG_UNIQUE_VIOLATION)
    return new UniqueConstraintException(name, uniqueField(table, error), { cause });
  if (code === '23503') return new ForeignKeyException(name, { cause });
  if (VALIDATION_CODES.has(code)) {
    const column = /column "([^"]+)"/.exec(error.message ?? '')?.[1];
    return new ValidationException(
      `${prefix}a value has the wrong type or breaks a constraint (${code})`,
      propertyOf(table, column),
      { cause },
    );
  }
  if (code === '42501')
    return new PermissionException(
      `${prefix}permission denied (missing privilege or row-level security policy)`,
      { cause },
    );
  if (code.startsWith('PGRST3')) {
    return new AuthenticationException(`Supabase rejected the JWT (${code})`, { cause });
  }
  if (TABLE_MISSING_CODES.has(code)) {
    return new QueryException(`${prefix}${describe(error, status)} (have the migrations run?)`, {
      cause,
    });
  }
  if (RETRYABLE_CODES.has(code))
    return new QueryException(describe(error, status), { cause, retryable: true });
  if (code === '') {
    // No PostgREST code: the API gateway ("Invalid API key") or a HEAD response without a body.
    if (status === 401) {
      return new AuthenticationException('Supabase rejected the API key or credentials', {
        cause,
      });
    }
    if (status === 403) return new PermissionException(`${prefix}permission denied`, { cause });
  }
  if (status >= 500)
    return new ConnectionException(`${prefix}${describe(error, status)}`, { cause });
  return new QueryException(`${prefix}${describe(error, status)}`, { cause });
}
