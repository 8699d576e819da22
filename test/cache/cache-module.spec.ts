import { randomBytes } from 'node:crypto';
import { Injectable, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import {
  CachedAdapter,
  DATABASE_ADAPTER,
  DatabaseConfigurationException,
  DatabaseHealthService,
  DatabaseModule,
  getRepositoryToken,
  hasResultCacheStats,
  invalidateCachedReads,
  ResilientAdapter,
  TracedAdapter,
  type IDatabaseAdapter,
  resolveDatabaseConfig,
  UserRepository,
} from '../../src';
import { defaultCacheKeyPrefix } from '../../src/cache/cache-key-prefix';
import { makeTempSqliteDir } from '../module/temp-sqlite';

const tmp = makeTempSqliteDir('cache-module');
afterAll(() => tmp.cleanup());

/** A repository whose reads are all cached unless they say otherwise. */
@Injectable()
class CachedUserRepository extends UserRepository {
  protected override readonly cacheReads = { ttlMs: 60_000 };
}

async function boot(imports: any[]): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({ imports }).compile();
  return moduleRef.init();
}

const sqlite = () => ({ provider: 'sqlite' as const, sqlite: { path: tmp.file() }, env: {} });

describe('DatabaseModule with the cache option', () => {
  it('is off by default, and DATABASE_CACHE or the option turns it on', () => {
    expect(resolveDatabaseConfig({ provider: 'sqlite', env: {} }).cache).toBeNull();
    expect(
      resolveDatabaseConfig({ provider: 'sqlite', env: { DATABASE_CACHE: 'off' } }).cache,
    ).toBeNull();
    expect(resolveDatabaseConfig({ provider: 'sqlite', env: {}, cache: true }).cache).toMatchObject(
      {
        store: 'memory',
        defaultTtlMs: 60_000,
        maxEntries: 1000,
      },
    );
    expect(
      resolveDatabaseConfig({
        provider: 'sqlite',
        env: { DATABASE_CACHE: 'redis', DATABASE_CACHE_REDIS_URL: 'redis://cache:6379' },
      }).cache,
    ).toMatchObject({ store: 'redis', redis: { url: 'redis://cache:6379' } });
    expect(
      resolveDatabaseConfig({ provider: 'sqlite', env: { DATABASE_CACHE: 'redis' }, cache: false })
        .cache,
    ).toBeNull();
  });

  it('refuses a store it does not know and out-of-range numbers, naming each', () => {
    expect(() =>
      resolveDatabaseConfig({ provider: 'sqlite', env: { DATABASE_CACHE: 'memcached' } }),
    ).toThrow(/DATABASE_CACHE=memcached is not one of memory, redis/);
    expect(() =>
      resolveDatabaseConfig({
        provider: 'sqlite',
        env: {},
        cache: { defaultTtlMs: 0, maxEntries: 0 },
      }),
    ).toThrow(DatabaseConfigurationException);
  });

  it('wraps the adapter, forwards its stats, and a repository with cacheReads caches its reads', async () => {
    const app = await boot([
      DatabaseModule.forRoot({ ...sqlite(), cache: true }),
      DatabaseModule.forFeature([CachedUserRepository]),
    ]);
    try {
      const adapter = app.get<IDatabaseAdapter>(DATABASE_ADAPTER);
      // Tracing outermost (a span per caller's call, hits included), resilience, then the cache.
      expect(adapter).toBeInstanceOf(TracedAdapter);
      const resilient = (adapter as TracedAdapter).inner;
      expect(resilient).toBeInstanceOf(ResilientAdapter);
      expect((resilient as ResilientAdapter).inner).toBeInstanceOf(CachedAdapter);
      expect(hasResultCacheStats(adapter)).toBe(true);
      const users = app.get(CachedUserRepository);
      const created = await users.create({ email: 'a@x.io', firstName: 'Ann', lastName: 'Lee' });
      expect(await users.count()).toBe(1);
      expect(await users.count()).toBe(1);
      expect((await users.findById(created.id))?.firstName).toBe('Ann');
      expect((await users.findFirst({ filters: { email: 'a@x.io' } }))?.id).toBe(created.id);
      const stats = () => (hasResultCacheStats(adapter) ? adapter.cacheStats() : undefined);
      expect(stats()).toMatchObject({ hits: 1, misses: 3 });
      await users.update(created.id, { firstName: 'Grace' });
      expect((await users.findById(created.id))?.firstName).toBe('Grace');
      await users.findById(created.id, { cache: false });
      expect(stats()).toMatchObject({ hits: 1, misses: 4 });
      // The plain repository asks for nothing: its reads are not cached.
      await app.get(UserRepository).count();
      expect(stats()).toMatchObject({ hits: 1, misses: 4 });
      // Health still finds the resilience layer (and its circuit) outermost.
      const report = await app.get(DatabaseHealthService).checkHealth();
      expect(report.checks.connection.details).toMatchObject({ circuit: 'closed' });
      // Through the module's layers, on demand.
      const before = stats()!.invalidations;
      await invalidateCachedReads(adapter, ['users']);
      expect(stats()!.invalidations).toBe(before + 1);
    } finally {
      await app.close();
    }
  });

  it('opens the Redis store, and closes it with the application', async () => {
    const keyPrefix = `ndl-test:${randomBytes(6).toString('hex')}:`;
    const app = await boot([
      DatabaseModule.forRoot({ ...sqlite(), cache: { store: 'redis', redis: { keyPrefix } } }),
      DatabaseModule.forFeature([CachedUserRepository]),
    ]);
    const admin = new Redis(6379, '127.0.0.1');
    try {
      const users = app.get(CachedUserRepository);
      await users.create({ email: 'a@x.io', firstName: 'Ann', lastName: 'Lee' });
      expect(await users.count()).toBe(1);
      expect(await users.count()).toBe(1);
      const adapter = app.get<IDatabaseAdapter>(DATABASE_ADAPTER);
      const stats = hasResultCacheStats(adapter) ? adapter.cacheStats() : undefined;
      expect(stats).toMatchObject({ store: 'redis', available: true, hits: 1, misses: 1 });
      expect((await admin.keys(`${keyPrefix}*`)).length).toBeGreaterThan(0);
    } finally {
      await app.close();
      const keys = await admin.keys(`${keyPrefix}*`);
      if (keys.length > 0) await admin.del(...keys);
      admin.disconnect();
    }
  });

  it('gives each database its own Redis keys by default, so two never serve each other rows', async () => {
    const run = randomBytes(4).toString('hex');
    const [first, second] = [`a${run}`, `b${run}`];
    const root = (name: string) =>
      DatabaseModule.forRoot({ ...sqlite(), name, cache: { store: 'redis' } });
    const app = await boot([
      root(first),
      root(second),
      DatabaseModule.forFeature([CachedUserRepository], first),
      DatabaseModule.forFeature([CachedUserRepository], second),
    ]);
    const admin = new Redis(6379, '127.0.0.1');
    try {
      const repositoryOf = (name: string) =>
        app.get<CachedUserRepository>(getRepositoryToken(CachedUserRepository, name));
      await repositoryOf(first).create({ email: 'a@x.io', firstName: 'Ann', lastName: 'Lee' });
      expect(await repositoryOf(first).count()).toBe(1);
      expect(await repositoryOf(second).count()).toBe(0);
      expect(await repositoryOf(first).count()).toBe(1);
      expect(await repositoryOf(second).count()).toBe(0);
    } finally {
      await app.close();
      for (const name of [first, second]) {
        const keys = await admin.keys(`ndl:cache:${name}:*`);
        expect(keys.length).toBeGreaterThan(0);
        await admin.del(...keys);
      }
      admin.disconnect();
    }
  });

  it('derives the default prefix from where the database is, never from its credentials', () => {
    const config = (url: string) =>
      resolveDatabaseConfig({ provider: 'postgres', postgres: { connectionString: url }, env: {} });
    const prefix = (url: string) => defaultCacheKeyPrefix(config(url), 'postgres', 'default');
    const same = prefix('postgresql://app:one@db.internal:5432/shop');
    expect(prefix('postgresql://other:two@db.internal:5432/shop')).toBe(same);
    expect(prefix('postgresql://app:one@db.internal:5432/blog')).not.toBe(same);
    expect(same).toMatch(/^ndl:cache:default:[\w-]{12}:$/);
    expect(same).not.toContain('one');
  });
});
