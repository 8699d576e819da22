import { Inject, type Type } from '@nestjs/common';
import {
  getDatabaseAdapterToken,
  getDatabaseConfigToken,
  getDatabaseConnectionToken,
  getDatabaseHealthIndicatorToken,
  getDatabaseHealthToken,
  getDatabaseMetricsToken,
  getRepositoryToken,
} from './database.tokens';

/** What each injection decorator returns: usable on a constructor parameter or a property. */
export type DatabaseInjectDecorator = PropertyDecorator & ParameterDecorator;

/**
 * Injects the database adapter chosen at boot for a connection. Default is the default connection.
 *
 * @example
 * constructor(\@InjectDatabaseAdapter('analytics') private readonly analytics: IDatabaseAdapter) {}
 */
export const InjectDatabaseAdapter = (name?: string): DatabaseInjectDecorator =>
  Inject(getDatabaseAdapterToken(name));

/** Injects a connection's validated configuration ({@link ResolvedDatabaseConfig}). Default is the default connection. */
export const InjectDatabaseConfig = (name?: string): DatabaseInjectDecorator =>
  Inject(getDatabaseConfigToken(name));

/** Injects a connection's boot outcome ({@link DatabaseConnection}). Default is the default connection. */
export const InjectDatabaseConnection = (name?: string): DatabaseInjectDecorator =>
  Inject(getDatabaseConnectionToken(name));

/** Injects a connection's {@link DatabaseMetricsService}. Default is the default connection. */
export const InjectDatabaseMetrics = (name?: string): DatabaseInjectDecorator =>
  Inject(getDatabaseMetricsToken(name));

/** Injects a connection's {@link DatabaseHealthService}. Default is the default connection. */
export const InjectDatabaseHealth = (name?: string): DatabaseInjectDecorator =>
  Inject(getDatabaseHealthToken(name));

/** Injects a connection's {@link DatabaseHealthIndicator}. Default is the default connection. */
export const InjectDatabaseHealthIndicator = (name?: string): DatabaseInjectDecorator =>
  Inject(getDatabaseHealthIndicatorToken(name));

/**
 * Injects a repository on a connection: a built-in one, or one registered with
 * `DatabaseModule.forFeature([Repo], name)`. Default is the default connection, where the class
 * itself is the token.
 *
 * @example
 * constructor(\@InjectRepository(UserRepository, 'analytics') private readonly users: UserRepository) {}
 */
export const InjectRepository = <T>(repository: Type<T>, name?: string): DatabaseInjectDecorator =>
  Inject(getRepositoryToken(repository, name));
