import { Inject } from '@nestjs/common';
import { DATABASE_ADAPTER, DATABASE_CONFIG, DATABASE_CONNECTION } from './database.constants';

/** Injects the active database adapter chosen at boot. */
export const InjectDatabaseAdapter = (): PropertyDecorator & ParameterDecorator =>
  Inject(DATABASE_ADAPTER);

/** Injects the validated database configuration ({@link ResolvedDatabaseConfig}). */
export const InjectDatabaseConfig = (): PropertyDecorator & ParameterDecorator =>
  Inject(DATABASE_CONFIG);

/** Injects the boot outcome ({@link DatabaseConnection}): the provider in use and any fallback. */
export const InjectDatabaseConnection = (): PropertyDecorator & ParameterDecorator =>
  Inject(DATABASE_CONNECTION);
