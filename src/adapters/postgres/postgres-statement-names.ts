import { createHash, randomBytes } from 'node:crypto';
import { TransactionException } from '../../exceptions';

/** How many statement names are cached before the cache starts over. */
const CACHE_LIMIT = 5_000;

/**
 * SQLSTATEs of a named prepared statement that no longer fits its connection:
 * - `0A000` `cached plan must not change result type`: a column's type changed (ALTER TABLE …
 *   TYPE by another process) after the statement was prepared;
 * - `26000` the statement is gone (DISCARD ALL, DEALLOCATE, a pooler's reset);
 * - `42P05` the name is taken on the server connection (a session pooler handed it over from
 *   another client of this library, which used the same name).
 */
const STALE_STATEMENT_CODES = new Set(['26000', '42P05']);
const STALE_PLAN_MESSAGE = 'cached plan must not change result type';

/** Whether a named statement failed because the server's copy is stale, missing or taken. */
export function isStalePreparedStatement(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string') return false;
  if (STALE_STATEMENT_CODES.has(code)) return true;
  return code === '0A000' && typeof message === 'string' && message.includes(STALE_PLAN_MESSAGE);
}

/**
 * The exception for a stale named statement inside a transaction: the error has aborted the
 * transaction, so only running the whole of it again can succeed (the statement has a new name
 * by then). Retryable, so the resilience layer re-runs `transaction(work)`.
 */
export function staleStatementInTransaction(error: unknown): TransactionException {
  const sqlState = (error as { code?: string }).code;
  return new TransactionException(
    'The transaction was aborted: a prepared statement no longer matched the database ' +
      '(a column type changed, or the statement was dropped); run the transaction again',
    { cause: error, details: { sqlState }, retryable: true },
  );
}

function hashedName(text: string): string {
  return `ndl_${createHash('sha1').update(text).digest('hex').slice(0, 32)}`;
}

/**
 * The names of named prepared statements: a stable one per statement text (`ndl_` + a hash), so
 * each connection prepares a shape once. {@link renew} gives a text a fresh name after its
 * statement went stale, so every connection of the adapter prepares it again instead of
 * failing; the random suffix keeps it apart from other instances' names on a session pooler.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();

  /** The current name of `text`. */
  nameOf(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      name = hashedName(text);
      this.remember(text, name);
    }
    return name;
  }

  /** Replaces the name of `text` with a fresh one and returns it. */
  renew(text: string): string {
    const name = `${hashedName(text)}_${randomBytes(4).toString('hex')}`;
    this.remember(text, name);
    return name;
  }

  private remember(text: string, name: string): void {
    if (this.names.size >= CACHE_LIMIT) this.names.clear();
    this.names.set(text, name);
  }
}
