import 'reflect-metadata';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DatabaseModule, resolveDatabaseConfig, type DatabaseModuleOptions } from '../../src';
import { exampleDatabaseOptions } from '../api/api.module';
import { StripeEventWorker, StripeWorkerModule } from './stripe-event-worker';

/** The worker process: the example's database and the worker, no HTTP. */
@Module({})
class WorkerAppModule {
  static register(options: DatabaseModuleOptions): DynamicModule {
    return {
      module: WorkerAppModule,
      imports: [DatabaseModule.forRoot(options), StripeWorkerModule],
    };
  }
}

/**
 * `npm run worker`: retries the stored Stripe events until SIGINT/SIGTERM; `npm run worker --
 * --once` drains what can be processed now and exits. Same database settings as `npm start`.
 */
async function main(): Promise<void> {
  const logger = new Logger('StripeWorker');
  const options = exampleDatabaseOptions();
  resolveDatabaseConfig(options);
  const app = await NestFactory.createApplicationContext(WorkerAppModule.register(options), {
    abortOnError: false,
  });
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  const worker = app.get(StripeEventWorker);
  const once = process.argv.includes('--once');
  logger.log(`Worker ${worker.id} started${once ? ' (until idle)' : ''}`);
  try {
    const report = await worker.run({ untilIdle: once, signal: stop.signal });
    logger.log(
      `Stopped after ${report.rounds} rounds: ${report.processed} processed, ${report.failed} failed`,
    );
  } finally {
    await app.close();
  }
}

main().catch((error: Error) => {
  console.error(`The Stripe worker stopped: ${error.message}`);
  process.exitCode = 1;
});
