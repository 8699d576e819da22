// The default Redis key prefix of a module's cache: one per database, so two databases sharing a
// Redis server never serve each other's rows, while instances of one database share their cache.
import { createHash, randomUUID } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import type { DatabaseProvider } from '../adapters/database-adapter.interface';
import type { ResolvedDatabaseConfig } from '../config/database-options.interface';
import { DEFAULT_REDIS_CACHE_PREFIX } from './redis-cache.store';

/**
 * Where the database in use is, as a string: the server and database of a PostgreSQL URL (no
 * user or password), the Supabase URL, the absolute path of a file. An in-memory database is
 * private to its process, so it gets a name of its own.
 */
function databaseLocation(config: ResolvedDatabaseConfig, provider: DatabaseProvider): string {
  switch (provider) {
    case 'postgres': {
      const raw = config.postgres?.connectionString ?? '';
      try {
        const url = new URL(raw);
        return `postgres:${url.host}${url.pathname}`;
      } catch {
        return `postgres:${createHash('sha256').update(raw).digest('hex')}`;
      }
    }
    case 'supabase':
      return `supabase:${config.supabase?.url ?? ''}`;
    case 'pglite':
      return config.pglite.path.startsWith('memory://')
        ? `memory:${randomUUID()}`
        : `pglite:${resolvePath(config.pglite.path)}`;
    default:
      return config.sqlite.path === ':memory:'
        ? `memory:${randomUUID()}`
        : `sqlite:${resolvePath(config.sqlite.path)}`;
  }
}

/** `ndl:cache:<connection>:<digest of the database's location>:`. */
export function defaultCacheKeyPrefix(
  config: ResolvedDatabaseConfig,
  provider: DatabaseProvider,
  connectionName: string,
): string {
  const digest = createHash('sha256')
    .update(databaseLocation(config, provider))
    .digest('base64url')
    .slice(0, 12);
  return `${DEFAULT_REDIS_CACHE_PREFIX}${connectionName}:${digest}:`;
}
