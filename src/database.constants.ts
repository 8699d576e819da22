/** The injection token of the active {@link IDatabaseAdapter}. */
export const DATABASE_ADAPTER = Symbol('DATABASE_ADAPTER');
