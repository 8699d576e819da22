import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, Module } from '@nestjs/common';
import { holderId } from '../api/stripe/event-inbox';
import { StripeBillingModule } from '../api/stripe/stripe-billing.module';
import { StripeEventProcessor } from '../api/stripe/stripe-event-processor';

/** How {@link StripeEventWorker.run} works. */
export interface WorkerRunOptions {
  /**
   * Stop after the first round that processes nothing (none left, or only failing ones): drain
   * what can be done now and return, for a cron job or a test. Default is false: run until
   * `signal` aborts.
   */
  untilIdle?: boolean;
  /** The wait (ms) after a round that processed nothing or had failures. Default is 5000. */
  pollMs?: number;
  /** Most events per round. Default is 20. */
  batchSize?: number;
  /** Attempts after which an event is left alone. Default is 10. */
  maxRetries?: number;
  /**
   * How long (ms) a claimed event is this worker's: longer than processing a batch takes, since
   * a lease that ends lets another worker take the event. Default is 60000.
   */
  leaseMs?: number;
  /** Ends the loop (after the round in progress). Default is none. */
  signal?: AbortSignal;
}

/** What a run did, summed over its rounds. */
export interface WorkerReport {
  rounds: number;
  processed: number;
  failed: number;
}

/**
 * Processes the stored Stripe events that are not processed yet (failed ones, or ones whose
 * request died before processing them, once its lease has ended), round after round. Each round
 * claims a batch with a lease, so any number of workers (and the API's requests) share the inbox
 * and each event is with one of them at a time. Each event is applied in its own transaction; a
 * failure is counted on the event, which is released and tried again in a later round.
 */
@Injectable()
export class StripeEventWorker {
  /** This worker's name as a holder of claimed events. */
  readonly id = holderId('worker');
  private readonly logger = new Logger('StripeEventWorker');

  constructor(private readonly processor: StripeEventProcessor) {}

  /** Runs rounds until `signal` aborts, or until idle with `untilIdle`. */
  async run(options: WorkerRunOptions = {}): Promise<WorkerReport> {
    const { untilIdle = false, pollMs = 5000, batchSize = 20, signal } = options;
    const claim = {
      limit: batchSize,
      maxRetries: options.maxRetries ?? 10,
      leaseMs: options.leaseMs ?? 60_000,
    };
    const report: WorkerReport = { rounds: 0, processed: 0, failed: 0 };
    while (!signal?.aborted) {
      const round = await this.processor.processClaimed(this.id, claim);
      report.rounds += 1;
      report.processed += round.processed;
      report.failed += round.failed;
      if (round.claimed > 0)
        this.logger.log(
          `Round ${report.rounds}: ${round.processed} processed, ${round.failed} failed`,
        );
      if (round.processed === 0 && untilIdle) break;
      // Straight on while there is progress to make; a pause before retrying what just failed.
      if (round.processed === 0 || round.failed > 0) await pause(pollMs, signal);
    }
    return report;
  }
}

/** Waits `ms`, or less when `signal` aborts. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

/** The worker's providers, for an application that already imports `DatabaseModule.forRoot`. */
@Module({
  imports: [StripeBillingModule],
  providers: [StripeEventWorker],
  exports: [StripeEventWorker],
})
export class StripeWorkerModule {}
