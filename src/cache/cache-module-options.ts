// The `cache` option of DatabaseModule: what it accepts, its resolution at boot (options, then
// the environment) and the store it opens.
import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import type { SettingReader } from '../config/setting-reader';
import { type CachedAdapter, DEFAULT_CACHE_TTL_MS, withCache } from './cached.adapter';
import type { CacheStore } from './cache-store.interface';
import { DEFAULT_MEMORY_CACHE_ENTRIES, MemoryCacheStore } from './memory-cache.store';
import { RedisCacheStore } from './redis-cache.store';

/** The stores the module can open. */
export type CacheStoreKind = 'memory' | 'redis';

/** The environment variables of the cache option. */
export const CACHE_ENV = {
  store: 'DATABASE_CACHE',
  redisUrl: 'DATABASE_CACHE_REDIS_URL',
} as const;

/** Redis settings of the cache (`store: 'redis'`). */
export interface CacheRedisOptions {
  /** The server (a password in it is never logged). Default is `DATABASE_CACHE_REDIS_URL`, else `redis://127.0.0.1:6379`. */
  url?: string;
  /**
   * Prefix of every key. Default is `ndl:cache:<connection name>:<digest of the database's
   * location>:`, so instances of one database share entries and two databases never do.
   */
  keyPrefix?: string;
  /** How long one command may take before Redis counts as down. Default is 1000. */
  commandTimeoutMs?: number;
}

/** The result cache of {@link DatabaseModuleOptions} (docs/caching.md). */
export interface CacheModuleOptions {
  /**
   * `memory`: an LRU in this process; `redis`: shared by every instance (ioredis must be
   * installed). Default is `DATABASE_CACHE`, else `memory`.
   */
  store?: CacheStoreKind;
  /** The time-to-live of a read cached with `cache: true`. Default is 60000. */
  defaultTtlMs?: number;
  /** The most entries of the `memory` store. Default is 1000. */
  maxEntries?: number;
  redis?: CacheRedisOptions;
}

/** The cache settings after defaults and validation; null when the cache is off. */
export type ResolvedCacheConfig = {
  store: CacheStoreKind;
  defaultTtlMs: number;
  maxEntries: number;
  redis: { url: string; keyPrefix?: string; commandTimeoutMs?: number };
} | null;

/**
 * Resolves the `cache` option: off unless the option is an object or `true`, or `DATABASE_CACHE`
 * names a store (`off` turns it off). Problems go to `read.problems`.
 */
export function resolveCacheConfig(
  option: CacheModuleOptions | boolean | undefined,
  read: SettingReader,
): ResolvedCacheConfig {
  const fromEnv = read.envValue(CACHE_ENV.store)?.toLowerCase();
  if (option === false || (option === undefined && (fromEnv === undefined || fromEnv === 'off'))) {
    return null;
  }
  const given = typeof option === 'object' && option !== null ? option : {};
  const store = read.choice<CacheStoreKind>(
    given.store,
    CACHE_ENV.store,
    ['memory', 'redis'],
    'memory',
    (raw) => raw.toLowerCase(),
  );
  return {
    store,
    defaultTtlMs: read.millis(given.defaultTtlMs, 'cache.defaultTtlMs', DEFAULT_CACHE_TTL_MS, 1),
    maxEntries: read.integer(given.maxEntries, 'cache.maxEntries', DEFAULT_MEMORY_CACHE_ENTRIES, 1),
    redis: {
      url: read.text(given.redis?.url, CACHE_ENV.redisUrl) ?? 'redis://127.0.0.1:6379',
      keyPrefix: given.redis?.keyPrefix,
      commandTimeoutMs: given.redis?.commandTimeoutMs,
    },
  };
}

/** Opens the store a resolved configuration names. */
function openCacheStore(
  config: NonNullable<ResolvedCacheConfig>,
  defaultKeyPrefix: () => string,
): Promise<CacheStore> {
  if (config.store === 'redis') {
    return RedisCacheStore.open({
      ...config.redis,
      keyPrefix: config.redis.keyPrefix ?? defaultKeyPrefix(),
    });
  }
  return Promise.resolve(new MemoryCacheStore({ maxEntries: config.maxEntries }));
}

/**
 * Wraps the module's adapter with the cache layer its configuration asks for; closes the adapter
 * when the store cannot be opened (ioredis missing), so a failed boot leaves nothing open.
 */
export async function withConfiguredCache(
  adapter: IDatabaseAdapter,
  config: NonNullable<ResolvedCacheConfig>,
  defaultKeyPrefix: () => string,
): Promise<CachedAdapter> {
  let store: CacheStore;
  try {
    store = await openCacheStore(config, defaultKeyPrefix);
  } catch (error) {
    await adapter.close();
    throw error;
  }
  return withCache(adapter, { store, defaultTtlMs: config.defaultTtlMs });
}
