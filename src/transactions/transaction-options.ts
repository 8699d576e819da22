// What a caller may ask of a transaction: how it relates to the one the flow is already in
// (propagation) and its isolation level; the check of both, and what each level guarantees.
import { ValidationException } from '../exceptions';

/**
 * How a transaction relates to the one the calling flow is already in:
 * - `REQUIRED`: join it, else start one. A joined part is a savepoint: its failure undoes only
 *   its own work, and it commits only with the transaction it joined.
 * - `REQUIRES_NEW`: a new, independent transaction on a connection of its own, committed or
 *   rolled back whatever becomes of the caller's. Inside an open transaction it needs a second
 *   connection: refused on single-connection engines (SQLite, PGlite) and in the test transaction.
 * - `MANDATORY`: join it; throw when there is none.
 * - `NEVER`: run without a transaction; throw when there is one.
 * - `SUPPORTS`: join it when there is one, else run without.
 */
export type TransactionPropagation =
  'REQUIRED' | 'REQUIRES_NEW' | 'MANDATORY' | 'NEVER' | 'SUPPORTS';

/** The isolation levels a transaction may ask for, weakest first (PostgreSQL's names). */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** What {@link IDatabaseAdapter.transaction} may be asked besides its work. */
export interface TransactionOptions {
  /** How the transaction relates to the one the flow is in. Default is `REQUIRED`. */
  propagation?: TransactionPropagation;
  /**
   * The isolation level of a transaction this call starts (on PostgreSQL, `BEGIN ISOLATION LEVEL
   * …`). SQLite, PGlite and the test transaction run one transaction at a time, so every level
   * is met. A call that joins a transaction needs that transaction to be at least as strict.
   * Default is the database's (`read committed` on PostgreSQL).
   */
  isolation?: IsolationLevel;
}

/** Every propagation, for checks and messages. */
export const TRANSACTION_PROPAGATIONS: readonly TransactionPropagation[] = [
  'REQUIRED',
  'REQUIRES_NEW',
  'MANDATORY',
  'NEVER',
  'SUPPORTS',
];

/** Every isolation level, weakest first. */
export const ISOLATION_LEVELS: readonly IsolationLevel[] = [
  'read committed',
  'repeatable read',
  'serializable',
];

/** Transaction options checked, with the default propagation filled in. */
export interface CheckedTransactionOptions {
  readonly propagation: TransactionPropagation;
  readonly isolation?: IsolationLevel;
}

/**
 * The options checked: an unknown propagation or isolation level, or options that are not an
 * object, throw a {@link ValidationException} naming the option.
 */
export function checkTransactionOptions(options: unknown): CheckedTransactionOptions {
  if (options === undefined) return { propagation: 'REQUIRED' };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationException('transaction options must be an object', 'options');
  }
  const { propagation = 'REQUIRED', isolation } = options as TransactionOptions;
  if (!TRANSACTION_PROPAGATIONS.includes(propagation)) {
    throw new ValidationException(
      `propagation must be one of ${TRANSACTION_PROPAGATIONS.join(', ')}`,
      'propagation',
    );
  }
  if (isolation !== undefined && !ISOLATION_LEVELS.includes(isolation)) {
    throw new ValidationException(
      `isolation must be one of ${ISOLATION_LEVELS.map((level) => `'${level}'`).join(', ')}`,
      'isolation',
    );
  }
  return isolation === undefined ? { propagation } : { propagation, isolation };
}

/** Whether a transaction at level `has` gives what `wants` asks for. */
export function isolationMeets(has: IsolationLevel, wants: IsolationLevel): boolean {
  return ISOLATION_LEVELS.indexOf(has) >= ISOLATION_LEVELS.indexOf(wants);
}
