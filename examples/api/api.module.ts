import { Module, type DynamicModule } from '@nestjs/common';
import { DatabaseModule, type DatabaseModuleOptions } from '../../src';
import { BillingController } from './billing.controller';
import { HealthController } from './health.controller';
import { UsersController } from './users.controller';
import { WebhooksController } from './webhooks.controller';

/**
 * The example's routes. They inject the repositories that DatabaseModule (imported once, next to
 * this module) makes available everywhere.
 */
@Module({
  controllers: [UsersController, BillingController, WebhooksController, HealthController],
})
export class ApiModule {}

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
  /** Builds the application on the given database options. Default is {@link exampleDatabaseOptions}. */
  static register(options: DatabaseModuleOptions = exampleDatabaseOptions()): DynamicModule {
    return { module: AppModule, imports: [DatabaseModule.forRoot(options), ApiModule] };
  }
}
