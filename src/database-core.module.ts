import { withCircuitLog } from './resilience/circuit-state-log';
import { withResilience } from './resilience/resilient.adapter';
import { databaseTargetOf } from './config/database-target';
import { withTracing } from './tracing/traced.adapter';
import { withConfiguredCache } from './cache/cache-module-options';
import { defaultCacheKeyPrefix } from './cache/cache-key-prefix';
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
  ResolvedDatabaseConfig,
} from './config/database-options.interface';
import { DatabaseConfigurationException } from './config/database-configuration.exception';
import { resolveDatabaseConfig } from './config/resolve-database-config';
import {
  BUILT_IN_REPOSITORIES,
  connectionTokens,
  createAsyncOptionsProviders,
  createRepositoryProviders,
  providerToken,
} from './database.providers';
import { checkConnectionName, DEFAULT_CONNECTION_NAME } from './database.tokens';
import { DatabaseHealthIndicator } from './health/database-health.indicator';
import { DatabaseHealthService } from './health/database-health.service';
import { DatabaseMetricsService } from './metrics/database-metrics.service';
import { combineQueryObservers, QueryLogObserver } from './metrics/query-observers';

export { BUILT_IN_REPOSITORIES, MISSING_ASYNC_FACTORY_MESSAGE } from './database.providers';

/**
 * The message of a second `forRoot()` / `forRootAsync()` of the default connection in one
 * application: each would open and migrate its own database, and the last one registered would
 * silently win every injection.
 */
export function duplicateForRootMessage(count: number): string {
  return (
    `DatabaseModule.forRoot() or forRootAsync() is imported ${count} times in this application, ` +
    'but the default connection has one database per application. Import DatabaseModule.forRoot() (or ' +
    'forRootAsync()) once, in the root module (it is global), and DatabaseModule.forFeature() ' +
    'wherever repositories of your own are registered; for several databases, give each ' +
    'forRoot() its own `name` (named connections, docs/configuration.md)'
  );
}

/** The message of a second root with the same connection name: the same clash, for one name. */
export function duplicateConnectionNameMessage(name: string, count: number): string {
  return (
    `DatabaseModule.forRoot() or forRootAsync() with name "${name}" is imported ${count} times ` +
    'in this application; a named connection is opened once. Give each root its own name, and ' +
    `register repositories on this one with DatabaseModule.forFeature([...], "${name}")`
  );
}

/** The message of a forRootAsync factory that returns a name other than its connection's. */
function renamedConnectionMessage(declared: string, returned: string): string {
  return (
    `the options built for the connection "${declared}" name it "${returned}"; a connection's ` +
    'name is given to forRootAsync({ name }), and its factory may leave it out'
  );
}

/** The token of a core module's check that its connection is declared once; never exported. */
const SINGLE_ROOT = Symbol('DATABASE_SINGLE_ROOT');

/** The token of a core module's own connection, for its shutdown; never exported. */
const OWN_CONNECTION = Symbol('DATABASE_OWN_CONNECTION');

/**
 * Counts the DatabaseCoreModules of one connection in this application's container (those that
 * provide its options token) and refuses a second one. It is the first dependency of the
 * configuration, so it runs before any database is opened; and being read from the application's
 * own container, it holds no state between applications.
 */
function assertSingleRoot(modules: ModulesContainer, name: string): true {
  const optionsToken = connectionTokens(name).options;
  let count = 0;
  for (const module of modules.values()) {
    if (module.metatype === DatabaseCoreModule && module.providers.has(optionsToken)) count += 1;
  }
  if (count <= 1) return true;
  throw new DatabaseConfigurationException([
    name === DEFAULT_CONNECTION_NAME
      ? duplicateForRootMessage(count)
      : duplicateConnectionNameMessage(name, count),
  ]);
}

/** Validates a connection's options, refusing a factory's result that names another connection. */
function resolveConnectionConfig(
  name: string,
  options: DatabaseModuleOptions | undefined,
): ResolvedDatabaseConfig {
  const returned = options?.name;
  if (returned !== undefined && checkConnectionName(returned) !== name) {
    throw new DatabaseConfigurationException([renamedConnectionMessage(name, returned)]);
  }
  return resolveDatabaseConfig(options);
}

/**
 * The providers of one connection, built from its options token: validated configuration,
 * metrics, the adapter (probe and fallback included), health and the built-in repositories, each
 * under the connection's token (the default connection's are the historic ones). Plain data, so
 * it can be inspected without Nest.
 */
export function createDatabaseProviders(name?: string): Provider[] {
  const checked = checkConnectionName(name);
  const tokens = connectionTokens(checked);
  const { config, connection, metrics, health } = tokens;
  const context = checked === DEFAULT_CONNECTION_NAME ? '' : `:${checked}`;
  return [
    {
      provide: SINGLE_ROOT,
      useFactory: (modules: ModulesContainer) => assertSingleRoot(modules, checked),
      inject: [ModulesContainer],
    },
    {
      provide: config,
      // Validation runs here, at boot, so a bad configuration fails before any connection.
      useFactory: (options: DatabaseModuleOptions | undefined) =>
        resolveConnectionConfig(checked, options),
      inject: [tokens.options, SINGLE_ROOT],
    },
    {
      provide: metrics,
      useFactory: (resolved: ResolvedDatabaseConfig) =>
        new DatabaseMetricsService(resolved.metrics),
      inject: [config],
    },
    {
      provide: connection,
      useFactory: async (resolved: ResolvedDatabaseConfig, counter: DatabaseMetricsService) => {
        const observers: QueryObserver[] = [counter];
        if (resolved.logQueries) {
          observers.push(new QueryLogObserver(new Logger(`DatabaseQuery${context}`)));
        }
        const logger = new Logger(`DatabaseModule${context}`);
        const opened = await createDatabaseAdapter(resolved, {
          observer: observers.length === 1 ? counter : combineQueryObservers(observers),
          logger,
        });
        // Wrapped before metrics bind to it, so pool and table figures pass through the wrapper.
        // Under resilience, which health and metrics find outermost: input limits and the
        // breaker come first, and a hit runs no query, so no query metric.
        if (resolved.cache) {
          opened.adapter = await withConfiguredCache(opened.adapter, resolved.cache, () =>
            defaultCacheKeyPrefix(resolved, opened.provider, checked),
          );
        }
        if (resolved.resilience) {
          opened.adapter = withResilience(
            opened.adapter,
            withCircuitLog(resolved.resilience, logger),
          );
        }
        // Outermost, so a span stands for the caller's call: its retries, or its fast failure
        // on an open circuit, included.
        if (resolved.tracing) {
          opened.adapter = withTracing(opened.adapter, {
            ...resolved.tracing,
            ...databaseTargetOf(opened.provider, resolved),
          });
        }
        counter.bindConnection(opened);
        return opened;
      },
      inject: [config, metrics],
    },
    {
      provide: tokens.adapter,
      useFactory: (opened: DatabaseConnection) => opened.adapter,
      inject: [connection],
    },
    {
      provide: health,
      useFactory: (opened: DatabaseConnection, resolved: ResolvedDatabaseConfig) =>
        new DatabaseHealthService(opened, resolved),
      inject: [connection, config],
    },
    {
      provide: tokens.healthIndicator,
      useFactory: (service: DatabaseHealthService) => new DatabaseHealthIndicator(service),
      inject: [health],
    },
    { provide: OWN_CONNECTION, useExisting: connection },
    ...createRepositoryProviders(BUILT_IN_REPOSITORIES, checked),
  ];
}

/** Everything a core module makes available to the whole application: its providers but the private ones. */
function exportedTokens(providers: readonly Provider[]) {
  return providers
    .map(providerToken)
    .filter((token) => token !== SINGLE_ROOT && token !== OWN_CONNECTION);
}

/**
 * The global module behind {@link DatabaseModule}, one per connection: it owns the adapter, opens
 * it at boot and closes it on shutdown. Import DatabaseModule, not this.
 */
@Global()
@Module({})
export class DatabaseCoreModule implements OnApplicationShutdown {
  private closing: Promise<void> | undefined;

  constructor(@Inject(OWN_CONNECTION) private readonly connection: DatabaseConnection) {}

  /** Builds the module of one connection from options given up front. */
  static forRoot(options: DatabaseModuleOptions = {}): DynamicModule {
    const name = checkConnectionName(options.name);
    const providers = createDatabaseProviders(name);
    return {
      module: DatabaseCoreModule,
      providers: [{ provide: connectionTokens(name).options, useValue: options }, ...providers],
      exports: exportedTokens(providers),
    };
  }

  /** Builds the module of one connection from options made by a factory, a class or an existing provider. */
  static forRootAsync(options: DatabaseModuleAsyncOptions): DynamicModule {
    const name = checkConnectionName(options.name);
    // Checked here, when the module is declared, rather than as an obscure DI error at boot.
    const optionsProviders = createAsyncOptionsProviders(options, connectionTokens(name).options);
    const providers = createDatabaseProviders(name);
    return {
      module: DatabaseCoreModule,
      imports: options.imports ?? [],
      providers: [...optionsProviders, ...(options.extraProviders ?? []), ...providers],
      exports: exportedTokens(providers),
    };
  }

  /** Closes the connection's database; a second call waits for the first and does nothing more. */
  onApplicationShutdown(): Promise<void> {
    this.closing ??= this.connection.adapter.close();
    return this.closing;
  }
}
