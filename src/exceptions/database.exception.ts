/**
 * Options shared by every library exception.
 */
export interface DatabaseExceptionOptions {
  /** Structured, caller-safe details (never SQL text or driver messages meant for logs only). */
  details?: Record<string, unknown>;
  /** The original error, kept for logs and debugging. */
  cause?: unknown;
  /**
   * Whether running the same operation again may succeed (a busy database, a dropped connection,
   * a deadlock). Default is `false`.
   */
  retryable?: boolean;
}

/**
 * The root of the library's exception hierarchy: every error the library throws is one of these,
 * so callers never have to catch driver errors.
 */
export class DatabaseException extends Error {
  /** A stable machine-readable code, e.g. `QUERY_ERROR`. */
  readonly code: string;
  /** Structured details safe to show to a caller. */
  readonly details?: Record<string, unknown>;
  /** Whether retrying the operation may succeed. */
  readonly retryable: boolean;

  constructor(message: string, code = 'DATABASE_ERROR', options: DatabaseExceptionOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
    this.retryable = options.retryable ?? false;
  }
}
