// What a read may ask of the result cache, and the one check of it.
import { ValidationException } from '../exceptions';

/** The longest time-to-live a cached read may ask for: about 24.8 days (a 32-bit timer). */
export const MAX_CACHE_TTL_MS = 2_147_483_647;

/** The longest `key` a cached read may name. */
export const MAX_CACHE_KEY_LENGTH = 200;

/** How one read is cached (see docs/caching.md). */
export interface ReadCacheOptions {
  /**
   * How long the result may be served from the cache, in milliseconds: an integer from 1 to
   * {@link MAX_CACHE_TTL_MS}. A write through the library to the table ends it sooner. Default is
   * the cache layer's `defaultTtlMs`.
   */
  ttlMs?: number;
  /**
   * A name for this read's result in its table and operation, instead of one derived from the
   * arguments: the caller vouches that reads under one key are the same query. Up to
   * {@link MAX_CACHE_KEY_LENGTH} characters. Default is derived from the arguments.
   */
  key?: string;
}

/**
 * The `cache` field of read options: `true` or an object caches the result, `false` reads the
 * database even when the repository caches by default. Ignored when no cache is configured.
 */
export type ReadCache = boolean | ReadCacheOptions;

/** A read's cache setting, checked: the time-to-live and key it is cached under. */
export interface CheckedReadCache {
  ttlMs: number;
  key?: string;
}

/**
 * Checks the `cache` field of a read: undefined when the read is not to be cached.
 *
 * @throws ValidationException on a value that is not a boolean or {@link ReadCacheOptions}, a
 * time-to-live out of range, or a key that is empty or too long.
 */
export function checkReadCache(cache: unknown, defaultTtlMs: number): CheckedReadCache | undefined {
  if (cache === undefined || cache === false) return undefined;
  if (cache === true) return { ttlMs: defaultTtlMs };
  if (typeof cache !== 'object' || cache === null || Array.isArray(cache)) {
    throw new ValidationException('cache must be true, false or { ttlMs?, key? }', 'cache');
  }
  const { ttlMs = defaultTtlMs, key } = cache as ReadCacheOptions;
  if (!Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_CACHE_TTL_MS) {
    throw new ValidationException(
      `cache.ttlMs must be an integer from 1 to ${MAX_CACHE_TTL_MS} (milliseconds)`,
      'cache.ttlMs',
    );
  }
  if (key === undefined) return { ttlMs };
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_CACHE_KEY_LENGTH) {
    throw new ValidationException(
      `cache.key must be a non-empty string of at most ${MAX_CACHE_KEY_LENGTH} characters`,
      'cache.key',
    );
  }
  return { ttlMs, key };
}
