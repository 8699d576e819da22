import { inspect } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { IDatabaseAdapter } from '../../src/adapters/database-adapter.interface';
import { PostgresAdapter } from '../../src/adapters/postgres';
import { SQLiteAdapter } from '../../src/adapters/sqlite';
import { type CachedAdapter, RedisCacheStore, withCache } from '../../src/cache';
import type { IUserEntity } from '../../src/entities/user.entity';
import type { IWebhookEventEntity } from '../../src/entities/webhook-event.entity';
import { usersTable, webhookEventsTable } from '../../src/schema';
import { freePort } from '../support/free-port';
import { createTestDatabase, describeWithPostgres } from '../support/postgres';
import { cached, user } from './support/cache-fixtures';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy';

const REDIS_PORT = 6379;

/** A logger that counts lines, standing in for Nest's. */
function countingLogger() {
  return { warn: jest.fn(), log: jest.fn() };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > 15_000) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One database that several instances open, each with an adapter of its own. */
interface SharedDatabase {
  open(): Promise<IDatabaseAdapter>;
  dispose(): Promise<void>;
}

/** Two SQLite connections to one file. */
async function sqliteFile(): Promise<SharedDatabase> {
  const dir = await mkdtemp(join(tmpdir(), 'ndl-cache-'));
  const path = join(dir, 'shared.sqlite');
  // Migrated once, before the instances open the file.
  await (await SQLiteAdapter.open({ path, migrate: true })).close();
  return {
    open: () => SQLiteAdapter.open({ path, migrate: false }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Two PostgreSQL adapters (two pools) on one database. */
async function postgresDatabase(): Promise<SharedDatabase> {
  const database = await createTestDatabase('cache');
  await (await PostgresAdapter.open({ connectionString: database.url, migrate: true })).close();
  return {
    open: () => PostgresAdapter.open({ connectionString: database.url, migrate: false }),
    dispose: () => database.drop(),
  };
}

// ioredis, closing a client whose socket is already gone (Redis unreachable, the proxy down),
// keeps a 2 s timer for that socket; wait it out so the file ends with nothing left running.
afterAll(() => new Promise((resolve) => setTimeout(resolve, 2100)));

const BACKENDS = [
  { name: 'sqlite file', describe, shared: sqliteFile },
  { name: 'postgres', describe: describeWithPostgres, shared: postgresDatabase },
];

/**
 * Two instances of an application on one database, each with the cache over the real Redis,
 * under a key prefix of this run's own.
 */
describe.each(BACKENDS)(
  'the Redis cache on $name: two instances, never a stale read',
  (backend) => {
    backend.describe(backend.name, () => {
      const prefix = `ndl-test:${randomBytes(6).toString('hex')}:`;
      let database: SharedDatabase;
      let admin: Redis;
      const opened: CachedAdapter[] = [];

      beforeAll(async () => {
        database = await backend.shared();
        admin = new Redis(REDIS_PORT, '127.0.0.1');
      });

      afterEach(async () => {
        await Promise.all(opened.splice(0).map((adapter) => adapter.close()));
      });

      afterAll(async () => {
        const keys = await admin.keys(`${prefix}*`);
        if (keys.length > 0) await admin.del(...keys);
        admin.disconnect();
        await database.dispose();
      });

      async function instance(
        options: {
          url?: string;
          logger?: ReturnType<typeof countingLogger>;
          /** Wraps the instance's adapter before the cache does (to slow a read down). */
          around?: (adapter: IDatabaseAdapter) => IDatabaseAdapter;
        } = {},
      ): Promise<CachedAdapter> {
        const store = await RedisCacheStore.open({
          url: options.url ?? `redis://127.0.0.1:${REDIS_PORT}`,
          keyPrefix: prefix,
          retryIntervalMs: 50,
          logger: options.logger ?? countingLogger(),
        });
        const inner = await database.open();
        const adapter = withCache(options.around ? options.around(inner) : inner, { store });
        opened.push(adapter);
        return adapter;
      }

      const nameOf = async (adapter: CachedAdapter, id: string) =>
        (await adapter.findById<IUserEntity>(id, usersTable, cached))?.firstName;

      it('after a committed write through either instance, no read through either returns the old value', async () => {
        const [a, b] = [await instance(), await instance()];
        const created = await a.create(user(`${randomBytes(4).toString('hex')}@x.io`), usersTable);
        let expected = 'Ada';
        for (const [writer, name] of [
          [a, 'Grace'],
          [b, 'Hedy'],
          [b, 'Barbara'],
          [a, 'Frances'],
        ] as const) {
          // Both instances have the current value cached (a miss, then a hit).
          for (const reader of [a, b]) {
            expect(await nameOf(reader, created.id)).toBe(expected);
            expect(await nameOf(reader, created.id)).toBe(expected);
          }
          await writer.update(created.id, { firstName: name }, usersTable);
          expected = name;
          for (const reader of [b, a]) expect(await nameOf(reader, created.id)).toBe(expected);
        }
        expect(a.cacheStats().hits).toBeGreaterThan(0);
        expect(b.cacheStats().hits).toBeGreaterThan(0);
        expect(a.cacheStats()).toMatchObject({ store: 'redis', available: true });
      });

      it('never stores a read that overlapped a write on the other instance where a later read finds it', async () => {
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        let readsToHold = 0;
        const a = await instance({
          around: (inner) => {
            const slow = Object.create(inner) as IDatabaseAdapter;
            slow.findById = async (...args: Parameters<IDatabaseAdapter['findById']>) => {
              const row = await inner.findById(...args);
              if (readsToHold > 0) {
                readsToHold -= 1;
                await gate;
              }
              return row as never;
            };
            return slow;
          },
        });
        const b = await instance();
        const created = await b.create(user(`${randomBytes(4).toString('hex')}@x.io`), usersTable);
        const entries = async () => (await admin.keys(`${prefix}e:users:*`)).length;
        const entriesBefore = await entries();
        readsToHold = 1;
        // a reads 'Ada' from the database, and is held before it can store it...
        const overlapping = nameOf(a, created.id);
        await until(() => readsToHold === 0, 'the read has been made');
        // ...while b commits a write and invalidates; then a stores its old result.
        await b.update(created.id, { firstName: 'Grace' }, usersTable);
        release();
        expect(await overlapping).toBe('Ada');
        // Its entry does land in Redis, under the version it looked up before the write...
        for (let tries = 0; (await entries()) === entriesBefore; tries += 1) {
          if (tries > 500) throw new Error('the overlapping read stored nothing');
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        // ...where no read looks any more.
        expect(await nameOf(a, created.id)).toBe('Grace');
        expect(await nameOf(b, created.id)).toBe('Grace');
      });

      it('a write in a transaction invalidates on commit; a rolled-back one invalidates nothing', async () => {
        const [a, b] = [await instance(), await instance()];
        const created = await a.create(user(`${randomBytes(4).toString('hex')}@x.io`), usersTable);
        expect(await nameOf(b, created.id)).toBe('Ada');

        await expect(
          a.transaction(async () => {
            await a.update(created.id, { firstName: 'Undone' }, usersTable);
            throw new Error('rolled back');
          }),
        ).rejects.toThrow('rolled back');
        const hitsBefore = b.cacheStats().hits;
        expect(await nameOf(b, created.id)).toBe('Ada');
        expect(b.cacheStats().hits).toBe(hitsBefore + 1);

        let readBeforeCommit: string | undefined;
        await a.transaction(async () => {
          await a.update(created.id, { firstName: 'Grace' }, usersTable);
          readBeforeCommit = await nameOf(b, created.id);
        });
        // Before the commit, the other instance rightly saw the committed value.
        expect(readBeforeCommit).toBe('Ada');
        expect(await nameOf(b, created.id)).toBe('Grace');

        await b.beginTransaction();
        await b.update(created.id, { firstName: 'Hedy' }, usersTable);
        expect(await nameOf(a, created.id)).toBe('Grace');
        await b.commitTransaction();
        expect(await nameOf(a, created.id)).toBe('Hedy');
      });

      it('with Redis unreachable from the start, reads go to the database with one warning', async () => {
        const logger = countingLogger();
        const a = await instance({ url: `redis://127.0.0.1:${await freePort()}`, logger });
        const b = await instance();
        const created = await a.create(user(`${randomBytes(4).toString('hex')}@x.io`), usersTable);
        for (const name of ['Grace', 'Hedy', 'Barbara']) {
          expect(await nameOf(a, created.id)).not.toBe(name);
          await b.update(created.id, { firstName: name }, usersTable);
          expect(await nameOf(a, created.id)).toBe(name);
        }
        expect(logger.warn).toHaveBeenCalledTimes(1);
        expect(a.cacheStats()).toMatchObject({ available: false, hits: 0, misses: 0 });
        expect(a.cacheStats().bypassed).toBeGreaterThan(0);
      });

      it('under concurrent reads and writes on both instances, no read returns a value older than one committed before it began', async () => {
        const [a, b] = [await instance(), await instance()];
        const event = await a.create(
          {
            stripeEventId: `evt_${randomBytes(6).toString('hex')}`,
            eventType: 'invoice.paid',
            processed: false,
            processedAt: null,
            payload: {},
            errorMessage: null,
            retryCount: 0,
          },
          webhookEventsTable,
        );
        let committed = 0;
        let writing = true;
        /** Reads finished since the last write resolved: the writer waits for a few, so some hit. */
        let readsSinceWrite = 0;
        const stale: string[] = [];
        const reader = async (adapter: CachedAdapter, name: string) => {
          while (writing) {
            const floor = committed;
            const row = await adapter.findById<IWebhookEventEntity>(
              event.id,
              webhookEventsTable,
              cached,
            );
            if (row!.retryCount < floor)
              stale.push(`${name} read ${row!.retryCount} after ${floor}`);
            readsSinceWrite += 1;
            // SQLite answers without I/O: let Redis replies in between, as requests would.
            await new Promise((resolve) => setImmediate(resolve));
          }
        };
        const writer = async () => {
          for (let i = 1; i <= 30; i += 1) {
            const through = i % 2 === 0 ? a : b;
            const after = await (i % 3 === 0
              ? through.transaction(() =>
                  through.increment(event.id, 'retryCount', 1, webhookEventsTable),
                )
              : through.increment(event.id, 'retryCount', 1, webhookEventsTable));
            committed = after.retryCount;
            readsSinceWrite = 0;
            if (i % 5 === 0) {
              while (readsSinceWrite < 6) await new Promise((resolve) => setImmediate(resolve));
            }
          }
          writing = false;
        };
        await Promise.all([writer(), reader(a, 'a'), reader(b, 'b'), reader(a, 'a2')]);
        expect(stale).toEqual([]);
        expect(committed).toBe(30);
        expect(a.cacheStats().hits + b.cacheStats().hits).toBeGreaterThan(0);
      });

      it('never shows the Redis password in util.inspect, logs or stats', async () => {
        const logger = countingLogger();
        const url = `redis://:pa55-${randomBytes(4).toString('hex')}@127.0.0.1:${await freePort()}`;
        const adapter = await instance({ url, logger });
        await adapter.findMany({ ...cached }, usersTable);
        const password = new URL(url).password;
        const shown = [
          inspect(adapter, { depth: 10, showHidden: true }),
          JSON.stringify(adapter.cacheStats()),
          JSON.stringify([...logger.warn.mock.calls, ...logger.log.mock.calls]),
        ];
        for (const text of shown) expect(text).not.toContain(password);
      });

      describe('through a proxy that goes down and comes back', () => {
        let proxy: TcpProxy;
        beforeEach(async () => {
          proxy = await startTcpProxy(REDIS_PORT);
        });
        afterEach(() => proxy.stop());

        it('degrades to uncached reads, one warning per outage, and serves nothing stored before it', async () => {
          const loggers = [countingLogger(), countingLogger()];
          const url = `redis://127.0.0.1:${proxy.port}`;
          const a = await instance({ url, logger: loggers[0] });
          const b = await instance({ url, logger: loggers[1] });
          const created = await a.create(
            user(`${randomBytes(4).toString('hex')}@x.io`),
            usersTable,
          );
          for (const reader of [a, b, a, b]) expect(await nameOf(reader, created.id)).toBe('Ada');
          expect(a.cacheStats().hits).toBe(1);

          await proxy.stop();
          // During the outage: a write whose invalidation cannot reach Redis, and reads that stay right.
          await b.update(created.id, { firstName: 'Grace' }, usersTable);
          for (let i = 0; i < 5; i += 1) {
            expect(await nameOf(a, created.id)).toBe('Grace');
            expect(await nameOf(b, created.id)).toBe('Grace');
          }
          await until(
            () => !a.cacheStats().available && !b.cacheStats().available,
            'both see the outage',
          );
          expect(loggers[0].warn).toHaveBeenCalledTimes(1);
          expect(loggers[1].warn).toHaveBeenCalledTimes(1);

          await proxy.start();
          await until(() => a.cacheStats().available && b.cacheStats().available, 'both are back');
          // 'Ada' is still in Redis under its old version: the epoch bumped at recovery hides it.
          expect(await nameOf(a, created.id)).toBe('Grace');
          expect(await nameOf(b, created.id)).toBe('Grace');
          expect(await nameOf(a, created.id)).toBe('Grace');
          expect(loggers[0].log).toHaveBeenCalledTimes(1);
          expect(loggers[0].warn).toHaveBeenCalledTimes(1);
        });
      });
    });
  },
);
