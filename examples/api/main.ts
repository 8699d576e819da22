import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DATABASE_CONNECTION, resolveDatabaseConfig, type DatabaseConnection } from '../../src';
import { AppModule, exampleDatabaseOptions } from './api.module';
import { configureApp, exampleAppOptions } from './configure-app';
import { WEBHOOKS_OFF_MESSAGE } from './stripe/stripe-signature';
import { stripeWebhookOptionsFromEnv } from './stripe/stripe-webhook.options';

async function main(): Promise<void> {
  const logger = new Logger('ExampleApi');
  // abortOnError: false lets a bad configuration end with its one-line message and exit code 1,
  // instead of Nest aborting the process.
  const options = exampleDatabaseOptions();
  // Checked before Nest starts, so a bad configuration prints its one message and nothing else.
  resolveDatabaseConfig(options);
  const stripe = stripeWebhookOptionsFromEnv();
  const app = configureApp(
    await NestFactory.create(AppModule.register(options, stripe), {
      ...exampleAppOptions,
      abortOnError: false,
    }),
  );
  const port = Number(process.env.PORT ?? 3000);
  await app.listen(port);
  const connection = app.get<DatabaseConnection>(DATABASE_CONNECTION);
  const fallback = connection.fallbackActive
    ? ` (fallback from ${connection.configuredProvider})`
    : '';
  logger.log(
    `Listening on http://localhost:${port} with database provider ${connection.provider}${fallback}`,
  );
  if (!stripe.secret) logger.warn(`${WEBHOOKS_OFF_MESSAGE} (POST /webhooks/stripe answers 503)`);
}

main().catch((error: Error) => {
  console.error(`Could not start the example API: ${error.message}`);
  process.exitCode = 1;
});
