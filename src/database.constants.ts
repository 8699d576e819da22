/** The injection token of the active {@link IDatabaseAdapter}. */
export const DATABASE_ADAPTER = Symbol('DATABASE_ADAPTER');

/** The injection token of the options given to `DatabaseModule.forRoot` / `forRootAsync`. */
export const DATABASE_MODULE_OPTIONS = Symbol('DATABASE_MODULE_OPTIONS');

/** The injection token of the validated configuration ({@link ResolvedDatabaseConfig}). */
export const DATABASE_CONFIG = Symbol('DATABASE_CONFIG');

/** The injection token of the boot outcome ({@link DatabaseConnection}): adapter, provider, fallback. */
export const DATABASE_CONNECTION = Symbol('DATABASE_CONNECTION');
