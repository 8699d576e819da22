import {
  AuthenticationException,
  ConnectionException,
  DatabaseException,
  ForeignKeyException,
  PermissionException,
  QueryException,
  TransactionException,
  UniqueConstraintException,
  ValidationException,
} from '../../exceptions';
import type { TableDefinition } from '../../schema/table-definition';
import { redactDriverDetails } from '../driver-error-redaction';

/** The fields of a node-postgres `DatabaseError` (or a socket error) the mapper reads. */
interface PgErrorLike {
  code?: string;
  message?: string;
  detail?: string;
  constraint?: string;
  column?: string;
  table?: string;
}

/** What the mapper knows about the failed call, to name the table and the property. */
export interface PostgresErrorContext {
  /** The table the statement ran against, when there is one. */
  table?: TableDefinition<any>;
}

/** Socket-level error codes node-postgres passes through from Node. */
const SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** SQLSTATEs of a server that is going away or refusing connections for now. */
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300']);

/** Messages node-postgres and pg-pool raise without a code when a connection is lost. */
const CONNECTION_MESSAGES = [
  'connection terminated',
  'timeout exceeded when trying to connect',
  'client has encountered a connection error',
  'client was closed and is not queryable',
  'cannot use a pool after calling end',
];

function asPgError(error: unknown): PgErrorLike {
  return typeof error === 'object' && error !== null ? (error as PgErrorLike) : {};
}

/**
 * Whether an error means the connection itself is unusable, so the client must be destroyed
 * rather than returned to the pool.
 */
export function isPostgresConnectionError(error: unknown): boolean {
  const { code, message } = asPgError(error);
  if (
    code !== undefined &&
    (code.startsWith('08') || UNAVAILABLE.has(code) || SOCKET_ERRORS.has(code))
  ) {
    return true;
  }
  const text = (message ?? '').toLowerCase();
  return CONNECTION_MESSAGES.some((m) => text.includes(m));
}

/**
 * Whether a pooler (PgBouncer, Supavisor) refused a startup parameter it does not know, such as
 * `statement_timeout`: the connection never opens, and retrying cannot change that.
 */
export function isStartupParameterRefusal(error: unknown): boolean {
  const { code, message } = asPgError(error);
  return (
    code === '08P01' && (message ?? '').toLowerCase().includes('unsupported startup parameter')
  );
}

/**
 * Errors raised before any statement reached the server: no connection could be made or had, or
 * the client refused to queue a query on a connection it knew was dead. The resilience layer
 * reads `details.sent === false` as proof that even a plain insert may be sent again.
 */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P03',
  '53300',
]);
const NOT_SENT_MESSAGES = ['timeout exceeded when trying to connect', 'is not queryable'];

function neverSent(pg: PgErrorLike): boolean {
  if (pg.code !== undefined && NOT_SENT_CODES.has(pg.code)) return true;
  const text = (pg.message ?? '').toLowerCase();
  return NOT_SENT_MESSAGES.some((m) => text.includes(m));
}

/** Column names from a unique violation's detail: `Key (email)=(a@b.c) already exists.` */
const KEY_DETAIL = /^Key \((.+?)\)=\(/;

function uniqueField(table: TableDefinition<any> | undefined, pg: PgErrorLike): string | undefined {
  if (!table) return undefined;
  const listed = pg.detail ? KEY_DETAIL.exec(pg.detail)?.[1] : undefined;
  if (listed) {
    // An expression index reports e.g. `lower(email)`: take the first identifier that is a column.
    for (const name of listed.match(/[a-z_][a-z0-9_]*/g) ?? []) {
      const column = table.columnByName(name);
      if (column) return column.property;
    }
  }
  if (pg.constraint) {
    // The detail is withheld when the role may not read the row; fall back to the index name,
    // matching the longest unique column it mentions (`stripe_customer_id` before `id`).
    const candidates = [...table.unique, table.primaryKey]
      .filter((c) => pg.constraint!.includes(c.column))
      .sort((a, b) => b.column.length - a.column.length);
    if (candidates.length > 0) return candidates[0].property;
  }
  return undefined;
}

function columnField(table: TableDefinition<any> | undefined, pg: PgErrorLike): string | undefined {
  if (!pg.column) return undefined;
  return table?.columnByName(pg.column)?.property ?? pg.column;
}

function invalidInput(
  tableName: string,
  pg: PgErrorLike,
  table: TableDefinition<any> | undefined,
  error: unknown,
): ValidationException {
  const field = columnField(table, pg);
  const reason =
    pg.code === '23502'
      ? 'a required value is missing'
      : pg.code === '23514'
        ? `a value breaks the check ${pg.constraint ?? ''}`.trimEnd()
        : pg.code === '22001'
          ? 'a value is too long'
          : 'a value has the wrong form';
  const message = field ? `${tableName}.${field}: ${reason}` : `${tableName}: ${reason}`;
  return new ValidationException(message, field, {
    cause: error,
    details: { sqlState: pg.code },
  });
}

/**
 * Turns an error from node-postgres into the library exception for it, keeping the original as
 * `cause`. A library exception passes through unchanged.
 *
 * | SQLSTATE / error                                          | Exception                        |
 * | --------------------------------------------------------- | -------------------------------- |
 * | 23505                                                     | UniqueConstraintException        |
 * | 23503                                                     | ForeignKeyException              |
 * | 23502, 23514, class 22 (22P02, 22001, …)                  | ValidationException              |
 * | 08P01 unsupported startup parameter (a pooler)            | ConnectionException (not retried) |
 * | 57014 (`details.timeout`), 08xxx, 57P01-03, 53300,        | ConnectionException (retryable)  |
 * | ECONN*, lost connection (`details.sent: false` if unsent) |                                  |
 * | 40P01, 40001                                              | TransactionException (retryable) |
 * | 25xxx, other 40xxx                                        | TransactionException             |
 * | 42501                                                     | PermissionException              |
 * | 28xxx                                                     | AuthenticationException          |
 * | anything else                                             | QueryException                   |
 */
export function mapPostgresError(
  error: unknown,
  context: PostgresErrorContext = {},
): DatabaseException {
  if (error instanceof DatabaseException) return error;
  redactDriverDetails(error, context.table);
  const pg = asPgError(error);
  const code = pg.code ?? '';
  const table = context.table;
  const tableName = table?.name ?? pg.table ?? 'database';
  const details = code ? { sqlState: code } : undefined;

  if (code === '23505') {
    return new UniqueConstraintException(tableName, uniqueField(table, pg), {
      cause: error,
      details,
    });
  }
  // 23001: PostgreSQL 18 reports a violated ON DELETE RESTRICT as restrict_violation.
  if (code === '23503' || code === '23001') {
    return new ForeignKeyException(tableName, { cause: error, details });
  }
  if (code === '23502' || code === '23514' || code.startsWith('22')) {
    return invalidInput(tableName, pg, table, error);
  }
  if (code === '40P01' || code === '40001') {
    const what = code === '40P01' ? 'a deadlock' : 'a serialization failure';
    return new TransactionException(`The transaction was aborted by ${what}; retry it`, {
      cause: error,
      details,
      retryable: true,
    });
  }
  if (code.startsWith('40') || code.startsWith('25')) {
    return new TransactionException('The transaction failed', { cause: error, details });
  }
  if (code === '57014') {
    return new ConnectionException('The statement was cancelled (statement timeout)', {
      cause: error,
      details: { ...details, timeout: true },
    });
  }
  if (isStartupParameterRefusal(error)) {
    return new ConnectionException(
      "The server refused a startup parameter: it is a pooler (PgBouncer, Supavisor). Set the adapter's pooler option to 'transaction' or 'session', or add pgbouncer=true to the URL",
      { cause: error, details: { ...details, sent: false }, retryable: false },
    );
  }
  if (isPostgresConnectionError(error)) {
    return new ConnectionException('The PostgreSQL connection failed or was lost', {
      cause: error,
      details: neverSent(pg) ? { ...details, sent: false } : details,
    });
  }
  if (code === '42501') {
    return new PermissionException(`Permission denied on ${tableName}`, { cause: error, details });
  }
  if (code.startsWith('28')) {
    return new AuthenticationException('PostgreSQL rejected the credentials', {
      cause: error,
      details,
    });
  }
  return new QueryException(`A statement on ${tableName} failed`, { cause: error, details });
}
