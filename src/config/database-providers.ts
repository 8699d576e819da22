import type { DatabaseProvider } from '../adapters/database-adapter.interface';

/** The providers the library knows, in the order they are listed in messages. */
export const DATABASE_PROVIDERS: readonly DatabaseProvider[] = [
  'supabase',
  'sqlite',
  'postgres',
  'pglite',
];

/**
 * Whether a value (e.g. read from the environment) names a provider the library knows, so it can
 * be given as the typed `provider` option. Exact and case-sensitive; `DATABASE_PROVIDER` itself
 * is read case-insensitively when the option is unset.
 *
 * @example
 * const provider = isDatabaseProvider(env.DB) ? env.DB : 'sqlite';
 */
export function isDatabaseProvider(value: unknown): value is DatabaseProvider {
  return (DATABASE_PROVIDERS as readonly unknown[]).includes(value);
}
