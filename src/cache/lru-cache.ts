import { ValidationException } from '../exceptions';

/** Options of {@link LruCache}. */
export interface LruCacheOptions {
  /** The most entries kept; the least recently used goes first. */
  maxEntries: number;
  /** The clock, in milliseconds (tests pass their own). Default is `Date.now`. */
  now?: () => number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A map bounded in entries and in time: each entry expires after its own time-to-live, and when
 * full the least recently used entry makes room. A Map keeps insertion order, so the first key is
 * the least recently used one once a hit re-inserts its entry at the end.
 */
export class LruCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Entries dropped to make room (expired ones are not counted). */
  evictions = 0;

  constructor(options: LruCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new ValidationException('maxEntries must be a positive integer', 'maxEntries');
    }
    this.maxEntries = options.maxEntries;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The live value of `key`, made the most recently used; undefined when absent or expired. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` for `ttlMs`, evicting the least recently used entries beyond the bound. */
  set(key: string, value: V, ttlMs: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.evictions += 1;
    }
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
