// afterCommit / afterRollback: the functions an app calls, how they find the transaction of the
// calling flow, and what becomes of the callbacks of a savepoint and of a transaction when each
// ends. The manager's parts call in here at those ends; nothing else runs callbacks.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@nestjs/common';
import { ValidationException } from '../exceptions';
import type { CallbackEntry, Scope, Transaction } from './transaction-state';

/** What an app hands to {@link afterCommit} or {@link afterRollback}. */
export type TransactionCallback = () => unknown;

/** Where a flow's callbacks can be registered: one adapter's transactions. */
export interface CallbackRegistrar {
  /**
   * Registers `fn` on the calling flow's own transaction of this adapter: true when it did, false
   * when the flow has none. Throws when the flow's transaction has already ended.
   */
  register(outcome: 'commit' | 'rollback', fn: TransactionCallback): boolean;
}

/** The adapters whose transactions a flow has entered, the most recent first. */
interface Entered {
  readonly registrar: CallbackRegistrar;
  readonly outer?: Entered;
}

/**
 * Which adapters a flow has entered a transaction of. Its values belong to each flow (nothing is
 * shared between two flows, two tests or two applications); the transactions themselves stay in
 * each adapter's own storage, which the registrar asks.
 */
const flows = new AsyncLocalStorage<Entered | undefined>();
// As in TransactionLifecycle: start tracking promise contexts before any flow enters one.
flows.enterWith(undefined);

const logger = new Logger('Transactions');

/** Runs `work` with `registrar` as the innermost adapter of the calling flow. */
export function enterFlow<R>(registrar: CallbackRegistrar, work: () => R): R {
  const head = flows.getStore();
  if (head?.registrar === registrar) return work();
  return flows.run({ registrar, outer: head }, work);
}

/** Makes `registrar` the innermost adapter of the calling flow from now on (beginTransaction). */
export function enterFlowWith(registrar: CallbackRegistrar): void {
  const head = flows.getStore();
  if (head?.registrar !== registrar) flows.enterWith({ registrar, outer: head });
}

/**
 * Runs `fn` once after the calling flow's transaction commits: the outermost one, never at a
 * savepoint's release (a `transaction()` nested in another, or a `@Transactional()` method that
 * joined one, hands its callbacks to the transaction it joined). Dropped when the work it belongs
 * to is rolled back. Callbacks run in the order they were registered, outside the transaction,
 * each awaited, before the transaction's promise (`transaction()`, `commitTransaction()`, the
 * `@Transactional()` method) settles; an error in one is logged, never thrown to the caller.
 * Outside a transaction, `fn` runs at once (nothing to wait for), its error logged too. With
 * transactions of several adapters open, the innermost one is meant.
 *
 * @throws ValidationException when `fn` is not a function; TransactionException when the flow's
 * transaction has already ended.
 *
 * @example
 * \@Transactional()
 * async pay(order: Order): Promise<void> {
 *   await this.payments.create(...);
 *   afterCommit(() => this.mailer.sendReceipt(order));
 * }
 */
export function afterCommit(fn: TransactionCallback): void {
  checkCallback(fn);
  if (registerInFlow('commit', fn)) return;
  void runOne({ outcome: 'commit', fn });
}

/**
 * Runs `fn` once after the calling flow's transaction rolls back (a throw, a failed COMMIT, its
 * time limit, its connection lost), as {@link afterCommit} does after a commit. Registered in a
 * savepoint that is rolled back, it runs when the outermost transaction ends, whatever its
 * outcome, since its work was undone either way. Outside a transaction nothing can roll back:
 * `fn` never runs.
 *
 * @throws ValidationException when `fn` is not a function; TransactionException when the flow's
 * transaction has already ended.
 */
export function afterRollback(fn: TransactionCallback): void {
  checkCallback(fn);
  registerInFlow('rollback', fn);
}

function checkCallback(fn: unknown): void {
  if (typeof fn !== 'function') {
    throw new ValidationException('afterCommit and afterRollback take a function', 'fn');
  }
}

function registerInFlow(outcome: 'commit' | 'rollback', fn: TransactionCallback): boolean {
  for (let entered = flows.getStore(); entered !== undefined; entered = entered.outer) {
    if (entered.registrar.register(outcome, fn)) return true;
  }
  return false;
}

/**
 * A savepoint ended, released (`committed`) or rolled back: its callbacks become its parent's.
 * Rolled back, its afterCommit callbacks are dropped and its afterRollback ones will run at the
 * end of the outermost transaction, whatever it is. Returns the callbacks to run now, when the
 * savepoint was the outermost transaction of the app's own (one the test transaction holds).
 */
export function savepointEnded<C>(
  child: Scope<C>,
  parent: Scope<C>,
  committed: boolean,
): CallbackEntry<C>[] {
  const { tx } = child;
  if (!tx.callbacks.some((entry) => entry.scope === child)) return [];
  if (parent.isRoot && tx.kind === 'ambient') {
    const own = tx.callbacks.filter((entry) => entry.scope === child);
    tx.callbacks = tx.callbacks.filter((entry) => entry.scope !== child);
    return own;
  }
  const kept: CallbackEntry<C>[] = [];
  for (const entry of tx.callbacks) {
    if (entry.scope === child) {
      if (!committed && entry.outcome === 'commit') continue;
      entry.scope = parent;
      if (!committed) entry.outcome = 'end';
    }
    kept.push(entry);
  }
  tx.callbacks = kept;
  return [];
}

/** Takes every callback of a transaction that has ended: none is left to run twice. */
export function takeCallbacks<C>(tx: Transaction<C>): CallbackEntry<C>[] {
  const all = tx.callbacks;
  tx.callbacks = [];
  return all;
}

/**
 * Runs, in order, the callbacks meant for an end with this outcome (and those meant for any end),
 * each awaited, each failure logged. Starts on a later tick, so a callback never runs inside the
 * step that ended the transaction. Never rejects.
 */
export async function runCallbacks(
  entries: readonly Pick<CallbackEntry<unknown>, 'outcome' | 'fn'>[],
  outcome: 'commit' | 'rollback',
): Promise<void> {
  await undefined;
  for (const entry of entries) {
    if (entry.outcome === outcome || entry.outcome === 'end') await runOne(entry);
  }
}

/** Runs one callback at once, logging its failure; never rejects. */
async function runOne(entry: Pick<CallbackEntry<unknown>, 'outcome' | 'fn'>): Promise<void> {
  try {
    await entry.fn();
  } catch (error) {
    const kind = entry.outcome === 'commit' ? 'afterCommit' : 'afterRollback';
    logger.error(
      `An ${kind} callback failed: ${error instanceof Error ? error.message : String(error)}`,
      error instanceof Error ? error.stack : undefined,
    );
  }
}
