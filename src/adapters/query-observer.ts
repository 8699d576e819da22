import type { DatabaseException } from '../exceptions';
import type { DatabaseProvider } from './database-adapter.interface';

/** One finished adapter operation, as reported to a {@link QueryObserver}. */
export interface QueryEvent {
  provider: DatabaseProvider;
  /** The adapter method, e.g. `findMany`, `create`, `transaction`. */
  operation: string;
  /** The table, or `''` for operations on no table (ping, transaction). */
  table: string;
  durationMs: number;
  /** The library exception the operation ended with, if it failed. */
  error?: DatabaseException;
  /**
   * The statement as sent (SQL text, or method and path for PostgREST). Only filled when the
   * observer sets `wantsStatements`.
   */
  statement?: string;
  /** Bound values, with values of sensitive columns replaced by `[REDACTED]`; as `statement`. */
  params?: readonly unknown[];
}

/**
 * Receives an event after every adapter operation: metrics and query logging hook in here.
 * It must not throw and should return quickly: it runs on the query's path.
 */
export interface QueryObserver {
  /** Ask the adapter for statement text and redacted params (costs a little; for development). */
  readonly wantsStatements?: boolean;
  onQuery(event: QueryEvent): void;
}

/** The placeholder that replaces sensitive values in reported params. */
export const REDACTED = '[REDACTED]';
