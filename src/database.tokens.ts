import type { InjectionToken, Type } from '@nestjs/common';
import { DatabaseConfigurationException } from './config/database-configuration.exception';
import {
  DATABASE_ADAPTER,
  DATABASE_CONFIG,
  DATABASE_CONNECTION,
  DATABASE_MODULE_OPTIONS,
} from './database.constants';
import { DatabaseHealthIndicator } from './health/database-health.indicator';
import { DatabaseHealthService } from './health/database-health.service';
import { DatabaseMetricsService } from './metrics/database-metrics.service';

/** The name of the connection `forRoot()` opens when given none; `name: 'default'` is the same one. */
export const DEFAULT_CONNECTION_NAME = 'default';

/** Letters, digits, `_` and `-`, starting with a letter, at most 64 characters. */
const CONNECTION_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * The connection name a caller gave, checked: `undefined` and `'default'` give
 * {@link DEFAULT_CONNECTION_NAME}; anything but a well-formed name throws a
 * {@link DatabaseConfigurationException}.
 */
export function checkConnectionName(name?: string): string {
  if (name === undefined) return DEFAULT_CONNECTION_NAME;
  if (typeof name === 'string' && CONNECTION_NAME_PATTERN.test(name)) return name;
  const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 64)) : typeof name;
  throw new DatabaseConfigurationException([
    `connection name ${shown} must be letters, digits, "_" or "-", starting with a letter, ` +
      'at most 64 characters',
  ]);
}

/**
 * The token of one thing of a connection: the default connection keeps its historic token, a
 * named one gets a symbol from the name, the same for every call and every application (nothing
 * is stored: `Symbol.for` returns the one symbol of that key).
 */
function connectionToken<T extends InjectionToken>(
  name: string | undefined,
  role: string,
  defaultToken: T,
): T | symbol {
  const checked = checkConnectionName(name);
  return checked === DEFAULT_CONNECTION_NAME
    ? defaultToken
    : Symbol.for(`nest-data-layer:${checked}:${role}`);
}

/** The injection token of a connection's {@link IDatabaseAdapter}. Default is {@link DATABASE_ADAPTER}. */
export function getDatabaseAdapterToken(name?: string): symbol {
  return connectionToken(name, 'adapter', DATABASE_ADAPTER);
}

/** The injection token of a connection's validated configuration. Default is {@link DATABASE_CONFIG}. */
export function getDatabaseConfigToken(name?: string): symbol {
  return connectionToken(name, 'config', DATABASE_CONFIG);
}

/** The injection token of a connection's boot outcome. Default is {@link DATABASE_CONNECTION}. */
export function getDatabaseConnectionToken(name?: string): symbol {
  return connectionToken(name, 'connection', DATABASE_CONNECTION);
}

/** The injection token of the options a connection was declared with. Default is {@link DATABASE_MODULE_OPTIONS}. */
export function getDatabaseOptionsToken(name?: string): symbol {
  return connectionToken(name, 'options', DATABASE_MODULE_OPTIONS);
}

/** The injection token of a connection's {@link DatabaseMetricsService}. Default is the class. */
export function getDatabaseMetricsToken(name?: string): Type<DatabaseMetricsService> | symbol {
  return connectionToken(name, 'metrics', DatabaseMetricsService);
}

/** The injection token of a connection's {@link DatabaseHealthService}. Default is the class. */
export function getDatabaseHealthToken(name?: string): Type<DatabaseHealthService> | symbol {
  return connectionToken(name, 'health', DatabaseHealthService);
}

/** The injection token of a connection's {@link DatabaseHealthIndicator}. Default is the class. */
export function getDatabaseHealthIndicatorToken(
  name?: string,
): Type<DatabaseHealthIndicator> | symbol {
  return connectionToken(name, 'health-indicator', DatabaseHealthIndicator);
}

/**
 * The injection token of a repository class on a connection: on the default connection the class
 * itself (as `forFeature([Repo])` and the built-in repositories have always been injected), on a
 * named one a symbol made of the name and the class name. Two repository classes of the same name
 * on one named connection would share it, so give them distinct names.
 */
export function getRepositoryToken<T>(repository: Type<T>, name?: string): Type<T> | symbol {
  if (typeof repository !== 'function' || repository.name === '') {
    throw new DatabaseConfigurationException([
      'getRepositoryToken() needs a named repository class; an undefined one usually means a ' +
        'circular import between the repository and where it is injected',
    ]);
  }
  return connectionToken(name, `repository:${repository.name}`, repository);
}
