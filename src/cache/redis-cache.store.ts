// The store shared by several instances: entries and per-table versions in Redis, read in one
// round trip, and the rules that keep an outage from ever serving stale data.
import { createHash } from 'node:crypto';
import { Logger, type LoggerService } from '@nestjs/common';
// Types only: ioredis itself is loaded when a Redis store is opened.
import type * as IORedis from 'ioredis';
import { DatabaseConfigurationException } from '../config/database-configuration.exception';
import type { CacheLookup, CacheStore, CacheStoreStats } from './cache-store.interface';

/** The part of an ioredis client the store uses (kept structural: ioredis is an optional peer). */
export interface RedisClientLike {
  readonly status: string;
  evalsha(sha: string, keys: number, ...args: string[]): Promise<unknown>;
  eval(script: string, keys: number, ...args: string[]): Promise<unknown>;
  set(key: string, value: string, mode: 'PX', ttlMs: number): Promise<unknown>;
  incr(key: string): Promise<number>;
  connect(): Promise<void>;
  quit(): Promise<unknown>;
  disconnect(): void;
  on(event: 'ready' | 'close' | 'error', listener: (...args: unknown[]) => void): unknown;
}

/** Options of {@link RedisCacheStore}. */
export interface RedisCacheStoreOptions {
  /** The server, as a `redis://` or `rediss://` URL (never logged). Default is `redis://127.0.0.1:6379`. */
  url?: string;
  /** A client of your own instead of `url` (ioredis); the store never closes it. Default is none. */
  client?: RedisClientLike;
  /** Prefix of every key the store writes. Default is `ndl:cache:`. */
  keyPrefix?: string;
  /** How long one Redis command may take before the cache counts Redis as down. Default is 1000. */
  commandTimeoutMs?: number;
  /** How often, while Redis is down, the store tries to come back. Default is 1000. */
  retryIntervalMs?: number;
  /** Where the outage and recovery lines go. Default is Nest's Logger (`DatabaseCache`). */
  logger?: Pick<LoggerService, 'warn' | 'log'>;
}

/** Default of {@link RedisCacheStoreOptions.keyPrefix}. */
export const DEFAULT_REDIS_CACHE_PREFIX = 'ndl:cache:';

/**
 * The lookup, in one round trip: the epoch and the table's version make the stamp, and the entry
 * is read under it. KEYS: epoch, table version; ARGV: entry key prefix, entry key.
 */
const LOOKUP_SCRIPT = `
local stamp = (redis.call('GET', KEYS[1]) or '0') .. '.' .. (redis.call('GET', KEYS[2]) or '0')
return {stamp, redis.call('GET', ARGV[1] .. stamp .. ':' .. ARGV[2])}
`;
const LOOKUP_SHA = createHash('sha1').update(LOOKUP_SCRIPT).digest('hex');

/**
 * The Redis store. Keys: `<prefix>epoch`, `<prefix>v:<table>` (a counter INCR'd by every write to
 * the table) and `<prefix>e:<table>:<epoch>.<version>:<key>` for entries, each with its TTL. A
 * read stores its result under the stamp it looked up before reading the database, so a write
 * that lands in between leaves it unreachable, on every instance, with no message to lose.
 *
 * An outage (a failed command, a lost connection) makes reads go to the database, uncached, with
 * one warning. Writes during it could not bump their versions, so before reads use Redis again
 * the store bumps the epoch: every entry stored before is unreachable. Only then is it available.
 */
export class RedisCacheStore implements CacheStore {
  private readonly prefix: string;
  private readonly logger: Pick<LoggerService, 'warn' | 'log'>;
  private readonly retryIntervalMs: number;
  private available = false;
  /** Set by a failure, cleared by a recovery: the epoch must be bumped before reads use Redis. */
  private outage = false;
  /** Counts failures: a recovery that began before the latest one does not make the store available. */
  private failures = 0;
  private recovering = false;
  private retryTimer?: NodeJS.Timeout;
  private closed = false;

  /** An ES private field: `util.inspect` never shows it, nor the password in its options. */
  readonly #client: RedisClientLike;

  private constructor(
    client: RedisClientLike,
    private readonly ownsClient: boolean,
    options: RedisCacheStoreOptions,
  ) {
    this.#client = client;
    this.prefix = options.keyPrefix ?? DEFAULT_REDIS_CACHE_PREFIX;
    this.logger = options.logger ?? new Logger('DatabaseCache');
    this.retryIntervalMs = options.retryIntervalMs ?? 1000;
    client.on('error', () => this.markDown());
    client.on('close', () => this.markDown());
    client.on('ready', () => void this.recover());
  }

  /**
   * Connects to Redis (loading ioredis only now, so apps without Redis never need it). A server
   * that cannot be reached does not fail the boot: reads go uncached until it can.
   *
   * @throws DatabaseConfigurationException when ioredis is not installed and no client is given.
   */
  static async open(options: RedisCacheStoreOptions = {}): Promise<RedisCacheStore> {
    if (options.client) {
      // A client still connecting becomes available at its 'ready' event.
      const store = new RedisCacheStore(options.client, false, options);
      if (options.client.status === 'ready') store.available = true;
      return store;
    }
    const client = await createClient(options);
    const store = new RedisCacheStore(client, true, options);
    try {
      await client.connect();
      if (!store.outage) store.available = true;
    } catch {
      store.markDown();
    }
    return store;
  }

  async lookup(table: string, key: string): Promise<CacheLookup | undefined> {
    if (!this.available) return undefined;
    const keys = [`${this.prefix}epoch`, `${this.prefix}v:${table}`];
    const args = [`${this.prefix}e:${table}:`, key];
    try {
      const found = (await this.evalLookup(keys, args)) as [string, string | null];
      return { stamp: found[0], text: found[1] ?? undefined };
    } catch {
      this.markDown();
      return undefined;
    }
  }

  async store(
    table: string,
    key: string,
    stamp: string,
    text: string,
    ttlMs: number,
  ): Promise<void> {
    if (!this.available) return;
    try {
      await this.#client.set(`${this.prefix}e:${table}:${stamp}:${key}`, text, 'PX', ttlMs);
    } catch {
      this.markDown();
    }
  }

  async invalidate(tables: readonly string[] | undefined): Promise<void> {
    // Tried even while down, when connected: when it succeeds no entry of the table is found
    // again. A failure is recorded, so the epoch is bumped before any read uses Redis again.
    if (this.#client.status !== 'ready') {
      // Not sent: ioredis would refuse it, yet keep its command timer running.
      this.markDown();
      return;
    }
    try {
      if (tables === undefined) await this.#client.incr(`${this.prefix}epoch`);
      else await Promise.all(tables.map((table) => this.#client.incr(`${this.prefix}v:${table}`)));
    } catch {
      this.markDown();
    }
  }

  stats(): CacheStoreStats {
    return { kind: 'redis', available: this.available, evictions: 0 };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.available = false;
    clearTimeout(this.retryTimer);
    if (!this.ownsClient) return;
    try {
      // QUIT lets commands in flight finish; without a connection there is nothing to wait for,
      // and disconnect() also stops the reconnection attempts.
      if (this.#client.status === 'ready') await this.#client.quit();
      else this.#client.disconnect();
    } catch {
      this.#client.disconnect();
    }
  }

  private async evalLookup(keys: string[], args: string[]): Promise<unknown> {
    try {
      return await this.#client.evalsha(LOOKUP_SHA, 2, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error;
      return this.#client.eval(LOOKUP_SCRIPT, 2, ...keys, ...args);
    }
  }

  /** Records a failure: reads stop using Redis (one warning per outage) until a recovery. */
  private markDown(): void {
    this.failures += 1;
    this.available = false;
    if (this.closed) return;
    if (!this.outage) {
      this.outage = true;
      this.logger.warn(
        'Redis cache unavailable: reads go to the database, uncached, until it is back',
      );
    }
    this.scheduleRecovery();
  }

  private scheduleRecovery(): void {
    if (this.retryTimer !== undefined || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.recover();
    }, this.retryIntervalMs);
    this.retryTimer.unref();
  }

  /**
   * Lets reads use Redis once connected. After an outage it first bumps the epoch (entries stored
   * before may miss writes made during it), and a failure meanwhile makes it try again later.
   */
  private async recover(): Promise<void> {
    if (this.available || this.recovering || this.closed) return;
    if (!this.outage) {
      this.available = true;
      return;
    }
    if (this.#client.status !== 'ready') {
      this.scheduleRecovery();
      return;
    }
    this.recovering = true;
    const failuresBefore = this.failures;
    try {
      await this.#client.incr(`${this.prefix}epoch`);
      if (this.failures === failuresBefore && !this.closed) {
        this.outage = false;
        this.available = true;
        this.logger.log(
          'Redis cache available again; entries stored before the outage are never served',
        );
      }
    } catch {
      this.failures += 1;
    } finally {
      this.recovering = false;
    }
    if (this.outage) this.scheduleRecovery();
  }
}

/** A new ioredis client for `options`, not yet connected; ioredis is loaded only here. */
async function createClient(options: RedisCacheStoreOptions): Promise<RedisClientLike> {
  let ioredis: typeof IORedis;
  try {
    ioredis = await import('ioredis');
  } catch (error) {
    throw new DatabaseConfigurationException(
      ['cache.store redis needs the ioredis package: npm install ioredis'],
      { cause: error },
    );
  }
  const url = options.url ?? 'redis://127.0.0.1:6379';
  return new ioredis.Redis(url, {
    lazyConnect: true,
    // Fail at once while disconnected: a read then goes to the database instead of waiting.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: Math.max(options.commandTimeoutMs ?? 1000, 1000),
  }) as unknown as RedisClientLike;
}
