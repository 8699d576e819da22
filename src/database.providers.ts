import type { FactoryProvider, InjectionToken, Provider, Type } from '@nestjs/common';
import {
  OPTIONAL_DEPS_METADATA,
  PARAMTYPES_METADATA,
  PROPERTY_DEPS_METADATA,
  SELF_DECLARED_DEPS_METADATA,
} from '@nestjs/common/constants';
import { DatabaseConfigurationException } from './config/database-configuration.exception';
import type {
  DatabaseModuleAsyncOptions,
  DatabaseOptionsFactory,
} from './config/database-options.interface';
import {
  checkConnectionName,
  DEFAULT_CONNECTION_NAME,
  getDatabaseAdapterToken,
  getDatabaseConfigToken,
  getDatabaseConnectionToken,
  getDatabaseHealthIndicatorToken,
  getDatabaseHealthToken,
  getDatabaseMetricsToken,
  getDatabaseOptionsToken,
  getRepositoryToken,
} from './database.tokens';
import { PaymentRepository } from './repositories/payment.repository';
import { SubscriptionRepository } from './repositories/subscription.repository';
import { UserRepository } from './repositories/user.repository';
import { WebhookRepository } from './repositories/webhook.repository';

/** The message of forRootAsync called without a way to build the options. */
export const MISSING_ASYNC_FACTORY_MESSAGE =
  'DatabaseModule.forRootAsync() needs one of useFactory, useClass or useExisting';

/** The repositories the library ships, injectable on every connection once it is opened. */
export const BUILT_IN_REPOSITORIES = [
  UserRepository,
  PaymentRepository,
  SubscriptionRepository,
  WebhookRepository,
] as const;

/** The tokens of everything a connection provides, by role. */
export function connectionTokens(name?: string) {
  return {
    options: getDatabaseOptionsToken(name),
    config: getDatabaseConfigToken(name),
    connection: getDatabaseConnectionToken(name),
    adapter: getDatabaseAdapterToken(name),
    metrics: getDatabaseMetricsToken(name),
    health: getDatabaseHealthToken(name),
    healthIndicator: getDatabaseHealthIndicatorToken(name),
  };
}

/**
 * What a class written for the default connection depends on, mapped to the same thing of the
 * named connection `name`: each of its tokens, and the built-in repositories.
 */
function namedDependencies(name: string): ReadonlyMap<unknown, InjectionToken> {
  const defaults = connectionTokens();
  const named = connectionTokens(name);
  const roles = Object.keys(defaults) as Array<keyof typeof defaults>;
  return new Map<unknown, InjectionToken>([
    ...roles.map((role): [unknown, InjectionToken] => [defaults[role], named[role]]),
    ...BUILT_IN_REPOSITORIES.map((r: Type<unknown>): [unknown, InjectionToken] => [
      r,
      getRepositoryToken(r, name),
    ]),
  ]);
}

/**
 * A repository class built for a named connection: its constructor's dependencies are read as
 * Nest reads them (declared types, then `@Inject` overrides, `@Optional` marks), and those of the
 * default connection are swapped for the named one's. The class itself is unchanged, so the same
 * class can serve several connections.
 */
function namedRepositoryProvider(
  repository: Type<unknown>,
  name: string,
  swaps: ReadonlyMap<unknown, InjectionToken>,
): FactoryProvider {
  const properties: unknown[] = Reflect.getMetadata(PROPERTY_DEPS_METADATA, repository) ?? [];
  if (properties.length > 0) {
    throw new DatabaseConfigurationException([
      `${repository.name} takes dependencies as properties; on the named connection "${name}" ` +
        'a repository takes them through its constructor',
    ]);
  }
  const params: unknown[] = [...(Reflect.getMetadata(PARAMTYPES_METADATA, repository) ?? [])];
  const declared: Array<{ index: number; param: unknown }> =
    Reflect.getMetadata(SELF_DECLARED_DEPS_METADATA, repository) ?? [];
  for (const { index, param } of declared) params[index] = param;
  const optional = new Set<number>(Reflect.getMetadata(OPTIONAL_DEPS_METADATA, repository) ?? []);
  return {
    provide: getRepositoryToken(repository, name),
    useFactory: (...dependencies: unknown[]) => new repository(...dependencies),
    inject: params.map((param, index) => {
      const token = (swaps.get(param) ?? param) as InjectionToken;
      return optional.has(index) ? { token, optional: true } : token;
    }),
  };
}

/**
 * The providers of repository classes on a connection: on the default one the classes themselves,
 * on a named one a provider per class under {@link getRepositoryToken}`(Repo, name)`.
 */
export function createRepositoryProviders(
  repositories: readonly Type<unknown>[],
  name?: string,
): Provider[] {
  const checked = checkConnectionName(name);
  if (checked === DEFAULT_CONNECTION_NAME) return [...repositories];
  const swaps = namedDependencies(checked);
  return repositories.map((repository) => namedRepositoryProvider(repository, checked, swaps));
}

/** The token under which a provider made by {@link createRepositoryProviders} is found. */
export function providerToken(provider: Provider): InjectionToken {
  return typeof provider === 'function' ? provider : provider.provide;
}

/**
 * The providers that build a connection's options at boot from forRootAsync's factory, class or
 * existing provider, under `optionsToken`. Throws at once when none of the three is given.
 */
export function createAsyncOptionsProviders(
  options: DatabaseModuleAsyncOptions,
  optionsToken: InjectionToken,
): Provider[] {
  if (options.useFactory) {
    return [
      { provide: optionsToken, useFactory: options.useFactory, inject: options.inject ?? [] },
    ];
  }
  const factoryClass = options.useClass ?? options.useExisting;
  if (!factoryClass) throw new DatabaseConfigurationException([MISSING_ASYNC_FACTORY_MESSAGE]);
  const optionsProvider: Provider = {
    provide: optionsToken,
    useFactory: (factory: DatabaseOptionsFactory) => factory.createDatabaseOptions(),
    inject: [factoryClass],
  };
  // useExisting reuses a provider from `imports`; useClass makes a new one here.
  return options.useClass
    ? [optionsProvider, { provide: options.useClass, useClass: options.useClass }]
    : [optionsProvider];
}
