import { Inject } from '@nestjs/common';
import { DATABASE_ADAPTER } from './database.constants';

/** Injects the active database adapter chosen at boot. */
export const InjectDatabaseAdapter = (): PropertyDecorator & ParameterDecorator => Inject(DATABASE_ADAPTER);
