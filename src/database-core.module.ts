import { withResilience } from './resilience/resilient.adapter';
import {
  Global,
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { createDatabaseAdapter } from './adapters/create-database-adapter';
import type { DatabaseConnection } from './config/database-connection.interface';
import type { QueryObserver } from './adapters/query-observer';
import type {
  DatabaseModuleAsyncOptions,
  DatabaseModuleOptions,
  DatabaseOptionsFactory,
  ResolvedDatabaseConfig,
} from './config/database-options.interface';
import { DatabaseConfigurationException } from './config/database-configuration.exception';
import { resolveDatabaseConfig } from './config/resolve-database-config';
import {
  DATABASE_ADAPTER,
  DATABASE_CONFIG,
  DATABASE_CONNECTION,
  DATABASE_MODULE_OPTIONS,
} from './database.constants';
import { DatabaseHealthIndicator } from './health/database-health.indicator';
import { DatabaseHealthService } from './health/database-health.service';
import { DatabaseMetricsService } from './metrics/database-metrics.service';
import { combineQueryObservers, QueryLogObserver } from './metrics/query-observers';
import { PaymentRepository } from './repositories/payment.repository';
import { SubscriptionRepository } from './repositories/subscription.repository';
import { UserRepository } from './repositories/user.repository';
import { WebhookRepository } from './repositories/webhook.repository';

/** The message of forRootAsync called without a way to build the options. */
export const MISSING_ASYNC_FACTORY_MESSAGE =
  'DatabaseModule.forRootAsync() needs one of useFactory, useClass or useExisting';

/**
 * The message of a second `forRoot()` / `forRootAsync()` in one application: each would open and
 * migrate its own database, and the last one registered would silently win every injection.
 */
export function duplicateForRootMessage(count: number): string {
  return (
    `DatabaseModule.forRoot() or forRootAsync() is imported ${count} times in this application, ` +
    'but the data layer has one database per application. Import DatabaseModule.forRoot() (or ' +
    'forRootAsync()) once, in the root module (it is global), and DatabaseModule.forFeature() ' +
    'wherever repositories of your own are registered; named connections to several databases ' +
    'are planned'
  );
}

/** The token of the check that the application has one DatabaseCoreModule. */
const SINGLE_DATABASE_MODULE = Symbol('SINGLE_DATABASE_MODULE');

/**
 * Counts the DatabaseCoreModules in this application's container and refuses a second one. It is
 * the first dependency of the configuration, so it runs before any database is opened; and being
 * read from the application's own container, it holds no state between applications.
 */
function assertSingleDatabaseModule(modules: ModulesContainer): true {
  let count = 0;
  for (const module of modules.values()) if (module.metatype === DatabaseCoreModule) count += 1;
  if (count > 1) throw new DatabaseConfigurationException([duplicateForRootMessage(count)]);
  return true;
}

/** The repositories the library ships, injectable by class once the module is imported. */
export const BUILT_IN_REPOSITORIES = [
  UserRepository,
  PaymentRepository,
  SubscriptionRepository,
  WebhookRepository,
] as const;

/**
 * The providers built from the options token: validated configuration, metrics, the adapter
 * (probe and fallback included) and health. Plain data, so it can be inspected without Nest.
 */
export function createDatabaseProviders(): Provider[] {
  return [
    {
      provide: SINGLE_DATABASE_MODULE,
      useFactory: assertSingleDatabaseModule,
      inject: [ModulesContainer],
    },
    {
      provide: DATABASE_CONFIG,
      // Validation runs here, at boot, so a bad configuration fails before any connection.
      useFactory: (options: DatabaseModuleOptions) => resolveDatabaseConfig(options),
      inject: [DATABASE_MODULE_OPTIONS, SINGLE_DATABASE_MODULE],
    },
    {
      provide: DatabaseMetricsService,
      useFactory: (config: ResolvedDatabaseConfig) => new DatabaseMetricsService(config.metrics),
      inject: [DATABASE_CONFIG],
    },
    {
      provide: DATABASE_CONNECTION,
      useFactory: async (config: ResolvedDatabaseConfig, metrics: DatabaseMetricsService) => {
        const observers: QueryObserver[] = [metrics];
        if (config.logQueries) observers.push(new QueryLogObserver(new Logger('DatabaseQuery')));
        const connection = await createDatabaseAdapter(config, {
          observer: observers.length === 1 ? metrics : combineQueryObservers(observers),
          logger: new Logger('DatabaseModule'),
        });
        // Wrapped before metrics bind to it, so pool and table figures pass through the wrapper.
        if (config.resilience) {
          connection.adapter = withResilience(connection.adapter, config.resilience);
        }
        metrics.bindAdapter(connection.adapter);
        return connection;
      },
      inject: [DATABASE_CONFIG, DatabaseMetricsService],
    },
    {
      provide: DATABASE_ADAPTER,
      useFactory: (connection: DatabaseConnection) => connection.adapter,
      inject: [DATABASE_CONNECTION],
    },
    DatabaseHealthService,
    DatabaseHealthIndicator,
    ...BUILT_IN_REPOSITORIES,
  ];
}

/** Everything the core module makes available to the whole application. */
const EXPORTED = [
  DATABASE_CONFIG,
  DATABASE_CONNECTION,
  DATABASE_ADAPTER,
  DatabaseMetricsService,
  DatabaseHealthService,
  DatabaseHealthIndicator,
  ...BUILT_IN_REPOSITORIES,
];

function createAsyncOptionsProviders(options: DatabaseModuleAsyncOptions): Provider[] {
  if (options.useFactory) {
    return [
      {
        provide: DATABASE_MODULE_OPTIONS,
        useFactory: options.useFactory,
        inject: options.inject ?? [],
      },
    ];
  }
  const factoryClass = options.useClass ?? options.useExisting;
  if (!factoryClass) throw new Error(MISSING_ASYNC_FACTORY_MESSAGE);
  const optionsProvider: Provider = {
    provide: DATABASE_MODULE_OPTIONS,
    useFactory: (factory: DatabaseOptionsFactory) => factory.createDatabaseOptions(),
    inject: [factoryClass],
  };
  // useExisting reuses a provider from `imports`; useClass makes a new one here.
  return options.useClass
    ? [optionsProvider, { provide: options.useClass, useClass: options.useClass }]
    : [optionsProvider];
}

/**
 * The global module behind {@link DatabaseModule}: it owns the adapter, opens it at boot and
 * closes it on shutdown. Import DatabaseModule, not this.
 */
@Global()
@Module({})
export class DatabaseCoreModule implements OnApplicationShutdown {
  private closing: Promise<void> | undefined;

  constructor(@Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection) {}

  /** Builds the module from options given up front. */
  static forRoot(options: DatabaseModuleOptions = {}): DynamicModule {
    return {
      module: DatabaseCoreModule,
      providers: [
        { provide: DATABASE_MODULE_OPTIONS, useValue: options },
        ...createDatabaseProviders(),
      ],
      exports: EXPORTED,
    };
  }

  /** Builds the module from options made by a factory, a class or an existing provider. */
  static forRootAsync(options: DatabaseModuleAsyncOptions): DynamicModule {
    // Checked here, when the module is declared, rather than as an obscure DI error at boot.
    const optionsProviders = createAsyncOptionsProviders(options);
    return {
      module: DatabaseCoreModule,
      imports: options.imports ?? [],
      providers: [
        ...optionsProviders,
        ...(options.extraProviders ?? []),
        ...createDatabaseProviders(),
      ],
      exports: EXPORTED,
    };
  }

  /** Closes the database connection; a second call waits for the first and does nothing more. */
  onApplicationShutdown(): Promise<void> {
    this.closing ??= this.connection.adapter.close();
    return this.closing;
  }
}
