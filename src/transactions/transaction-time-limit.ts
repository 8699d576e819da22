// The time limit of transactions: its default, its check, and the clock each transaction starts
// when BEGIN has run. What happens when it runs out (the transaction ended, its connection given
// up) belongs to TransactionLifecycle.expire; the ambient transaction of tests has no clock.
import { Logger } from '@nestjs/common';
import { durationProblem } from '../config/duration-option';
import { ValidationException } from '../exceptions';
import type { Transaction } from './transaction-state';

/** How long a transaction may stay open when nothing else is configured: 30 s. */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 30_000;

/** Options of {@link TransactionManager}. */
export interface TransactionManagerOptions {
  /**
   * How long a transaction, of either form, may stay open after BEGIN before it is rolled back,
   * its connection given back and its later statements refused. Default is 30000 ms.
   */
  timeoutMs?: number;
}

/** The time limit of one manager's transactions, checked once when the manager is made. */
export class TimeLimit {
  /** The limit, in milliseconds. */
  readonly ms: number;
  private readonly logger = new Logger('TransactionManager');

  constructor(timeoutMs: number | undefined) {
    this.ms = checkTimeout(timeoutMs);
  }

  /**
   * Starts the clock of a transaction whose BEGIN has run: past the limit, `expire` is called
   * once, after a warning. The timer does not keep the process alive; ending the transaction
   * clears it.
   */
  start(tx: Transaction<unknown>, expire: () => void): void {
    tx.timer = setTimeout(() => {
      if (tx.ending !== undefined) return;
      this.logger.warn(
        `A transaction was open longer than ${this.ms} ms (transactionTimeoutMs) and was rolled back`,
      );
      expire();
    }, this.ms);
    tx.timer.unref();
  }
}

function checkTimeout(timeoutMs: number | undefined): number {
  if (timeoutMs === undefined) return DEFAULT_TRANSACTION_TIMEOUT_MS;
  const problem = durationProblem(timeoutMs, 1);
  if (problem)
    throw new ValidationException(`transactionTimeoutMs ${problem}`, 'transactionTimeoutMs');
  return timeoutMs;
}
