import { DatabaseException } from '../exceptions/database.exception';

/** How many causes below the exception are described; deeper ones are counted, not shown. */
const MAX_DEPTH = 6;
/** The longest text kept from one message or hint. */
const MAX_TEXT = 500;
const REDACTED = '[REDACTED]';

/**
 * Keys of an exception's `details` that are safe in a log: codes, names of schema objects and
 * flags the library sets. Everything else is left out, since mappers and callers may put row
 * values there.
 */
const SAFE_DETAIL_KEYS = [
  'sqlState',
  'operation',
  'table',
  'field',
  'constraint',
  'provider',
  'reason',
  'timeout',
  'sent',
  'retryInMs',
] as const;

/** Fields of a driver error (node-postgres, better-sqlite3, PostgREST) that name schema objects. */
const SAFE_DRIVER_FIELDS = ['table', 'column', 'constraint'] as const;

/**
 * Takes secrets and row values out of a driver's text: credentials in URLs and connection
 * strings, bearer tokens and API keys, the values PostgreSQL quotes in `Key (…)=(…)` and
 * `Failing row contains (…)`, and the input a data error quotes (`…for type uuid: "abc"`). Statement parameters never reach a driver's message (values are
 * always bound), and the `detail` field that carries row values is never logged.
 */
export function redactDriverText(text: string): string {
  return (
    text
      .replace(/(\/\/[^\s:/@]+):[^\s@/]*@/g, `$1:${REDACTED}@`)
      .replace(/\b(password|passwd|pwd)(\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s;&]+)/gi, `$1$2${REDACTED}`)
      .replace(/\beyJ[\w-]*\.[\w-]+\.[\w-]*/g, REDACTED)
      .replace(/\bsb_(secret|publishable)_[\w-]+/g, REDACTED)
      .replace(/\b(Bearer|apikey)(\s*[=:]?\s*)[\w.~+/=-]{8,}/gi, `$1$2${REDACTED}`)
      .replace(
        /(Key \([^)]*\)=\().*?(\) (?:already exists|is not present|is still referenced))/g,
        `$1${REDACTED}$2`,
      )
      .replace(/(Failing row contains \().*?(\)\.?)$/gm, `$1${REDACTED}$2`)
      // Data errors quote the rejected input: `invalid input syntax for type uuid: "abc"`,
      // `value "99999999999" is out of range for type integer`.
      .replace(/: "[^"]*"/g, `: "${REDACTED}"`)
      .replace(/\bvalue "[^"]*" is out of range/g, `value "${REDACTED}" is out of range`)
  );
}

function clip(text: string): string {
  const redacted = redactDriverText(text);
  return redacted.length > MAX_TEXT ? `${redacted.slice(0, MAX_TEXT)}…` : redacted;
}

function safeDetails(exception: DatabaseException): string {
  const details = exception.details ?? {};
  const parts: string[] = [];
  for (const key of SAFE_DETAIL_KEYS) {
    const value = details[key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      parts.push(`${key}=${clip(String(value))}`);
    }
  }
  return parts.length > 0 ? ` [${parts.join(' ')}]` : '';
}

/**
 * The error's class: its `name`, except node-postgres' DatabaseError, whose name is the protocol
 * message type `error`; a plain `{ code, message, details, hint }` is PostgREST's error body.
 */
function errorName(e: Record<string, unknown>): string {
  if (typeof e.name === 'string' && e.name !== '' && e.name !== 'error') return e.name;
  const constructorName = (e.constructor as { name?: unknown } | undefined)?.name;
  if (typeof constructorName === 'string' && constructorName !== 'Object') return constructorName;
  return 'hint' in e || 'details' in e ? 'PostgREST error' : 'Object';
}

/** One level of the chain: `Name (code): message`, plus schema names and the hint. */
function describeOne(error: unknown): string {
  if (typeof error !== 'object' || error === null) return clip(String(error));
  const e = error as Record<string, unknown>;
  const name = errorName(e);
  const code = typeof e.code === 'string' && e.code !== '' ? ` (${e.code})` : '';
  const message = typeof e.message === 'string' ? clip(e.message) : '';
  let line = `${name}${code}: ${message}`;
  if (error instanceof DatabaseException) return line + safeDetails(error);
  const names = SAFE_DRIVER_FIELDS.filter((k) => typeof e[k] === 'string').map(
    (k) => `${k}=${clip(e[k] as string)}`,
  );
  if (names.length > 0) line += ` [${names.join(' ')}]`;
  if (typeof e.hint === 'string' && e.hint !== '') line += ` (hint: ${clip(e.hint)})`;
  // supabase-js flattens a failed fetch into `details`: keep its "Caused by" line, not the rest.
  const causedBy = typeof e.details === 'string' ? /Caused by: (.*)/.exec(e.details)?.[1] : '';
  if (causedBy) line += ` (${clip(causedBy)})`;
  return line;
}

/**
 * Describes an exception and its `cause` chain for a server log, one line per level:
 * `QueryException (QUERY_ERROR): create on invoices failed [operation=create table=invoices]`,
 * then `  caused by SqliteError (SQLITE_ERROR): no such table: invoices`. Driver codes (SQLSTATE,
 * SQLite's, PostgREST's) and messages are kept; secrets, row values and unknown details are not.
 */
export function describeCauseChain(exception: DatabaseException): string {
  const lines = [
    `${exception.name} (${exception.code}): ${clip(exception.message)}${safeDetails(exception)}`,
  ];
  const seen = new Set<unknown>([exception]);
  let cause = (exception as { cause?: unknown }).cause;
  let depth = 0;
  while (cause !== undefined && cause !== null && !seen.has(cause)) {
    if (depth === MAX_DEPTH) {
      lines.push('  caused by … (further causes left out)');
      break;
    }
    seen.add(cause);
    lines.push(`  caused by ${describeOne(cause)}`);
    cause = typeof cause === 'object' ? (cause as { cause?: unknown }).cause : undefined;
    depth += 1;
  }
  return lines.join('\n');
}
