import type { CacheLookup, CacheStore, CacheStoreStats } from './cache-store.interface';
import { LruCache } from './lru-cache';

/** Options of {@link MemoryCacheStore}. */
export interface MemoryCacheStoreOptions {
  /** The most results kept; the least recently used goes first. Default is 1000. */
  maxEntries?: number;
  /** The clock, in milliseconds (tests pass their own). Default is `Date.now`. */
  now?: () => number;
}

/** Default of {@link MemoryCacheStoreOptions.maxEntries}. */
export const DEFAULT_MEMORY_CACHE_ENTRIES = 1000;

/**
 * The in-process store: an LRU bounded in entries, each entry expiring after its time-to-live,
 * and a version per table kept beside it. It serves the layers that share this instance only:
 * several processes need {@link RedisCacheStore}.
 */
export class MemoryCacheStore implements CacheStore {
  private readonly entries: LruCache<string>;
  private readonly versions = new Map<string, number>();
  /** Bumped when every table is invalidated at once, so even tables never written get a new stamp. */
  private epoch = 0;

  constructor(options: MemoryCacheStoreOptions = {}) {
    this.entries = new LruCache({
      maxEntries: options.maxEntries ?? DEFAULT_MEMORY_CACHE_ENTRIES,
      now: options.now,
    });
  }

  lookup(table: string, key: string): Promise<CacheLookup | undefined> {
    const stamp = this.stampOf(table);
    return Promise.resolve({ stamp, text: this.entries.get(entryKey(table, stamp, key)) });
  }

  store(table: string, key: string, stamp: string, text: string, ttlMs: number): Promise<void> {
    // A read that started before a write comes back after it: its stamp is gone, and so is it.
    if (stamp === this.stampOf(table)) this.entries.set(entryKey(table, stamp, key), text, ttlMs);
    return Promise.resolve();
  }

  invalidate(tables: readonly string[] | undefined): Promise<void> {
    if (tables === undefined) {
      // Every table at once: no entry can be found again, so none need be kept.
      this.epoch += 1;
      this.entries.clear();
    } else {
      for (const table of tables) this.bump(table);
    }
    return Promise.resolve();
  }

  stats(): CacheStoreStats {
    return {
      kind: 'memory',
      available: true,
      evictions: this.entries.evictions,
      entries: this.entries.size,
    };
  }

  close(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }

  private stampOf(table: string): string {
    return `${this.epoch}.${this.versions.get(table) ?? 0}`;
  }

  private bump(table: string): void {
    this.versions.set(table, (this.versions.get(table) ?? 0) + 1);
  }
}

function entryKey(table: string, stamp: string, key: string): string {
  return `${table}\u0000${stamp}\u0000${key}`;
}
