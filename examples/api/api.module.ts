import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, type DatabaseModuleOptions } from '../../src';
import { BillingController } from './billing.controller';
import { HealthController } from './health.controller';
import { UsersController } from './users.controller';
import { StripeBillingModule } from './stripe/stripe-billing.module';
import {
  STRIPE_WEBHOOK_OPTIONS,
  stripeWebhookOptionsFromEnv,
  type StripeWebhookOptions,
} from './stripe/stripe-webhook.options';
import { WebhooksController } from './webhooks.controller';

/**
 * The example's routes. They inject the repositories that DatabaseModule (imported once, next to
 * this module) makes available everywhere. Imported as it is, the Stripe webhook options come
 * from the environment (`STRIPE_WEBHOOK_SECRET`); {@link ApiModule.register} takes them instead.
 */
@Module({
  imports: [StripeBillingModule],
  controllers: [UsersController, BillingController, WebhooksController, HealthController],
  providers: [{ provide: STRIPE_WEBHOOK_OPTIONS, useFactory: () => stripeWebhookOptionsFromEnv() }],
})
export class ApiModule {
  /** The routes with these Stripe webhook options. */
  static register(stripe: StripeWebhookOptions): DynamicModule {
    return {
      module: ApiModule,
      providers: [{ provide: STRIPE_WEBHOOK_OPTIONS, useValue: stripe }],
    };
  }
}

/**
 * The database options of the example: the library's default provider is Supabase, but the
 * example runs on SQLite when DATABASE_PROVIDER is unset, so `npm start` needs no configuration.
 * Everything else comes from the environment (see .env.example).
 */
export function exampleDatabaseOptions(
  env: Readonly<Record<string, string | undefined>> = process.env,
): DatabaseModuleOptions {
  // A set DATABASE_PROVIDER is read, and validated, by the module itself from `env`.
  return env.DATABASE_PROVIDER?.trim() ? { env } : { provider: 'sqlite', env };
}

/** The example application: DatabaseModule plus the routes. */
@Module({})
export class AppModule {
  /**
   * Builds the application on the given database and Stripe webhook options. Defaults are
   * {@link exampleDatabaseOptions} and {@link stripeWebhookOptionsFromEnv}.
   */
  static register(
    options: DatabaseModuleOptions = exampleDatabaseOptions(),
    stripe: StripeWebhookOptions = stripeWebhookOptionsFromEnv(),
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [DatabaseModule.forRoot(options), ApiModule.register(stripe)],
    };
  }
}
