import { inspect } from 'node:util';
import { SQLiteAdapter } from '../../src/adapters/sqlite';
import type { IDatabaseAdapter } from '../../src/adapters/database-adapter.interface';
import { type CachedAdapter, MemoryCacheStore, withCache } from '../../src/cache';
import type { IUserEntity } from '../../src/entities/user.entity';
import { DatabaseException, ValidationException } from '../../src/exceptions';
import { paymentsTable, usersTable } from '../../src/schema';
import { beginTestTransaction, rollbackTestTransaction } from '../../src/testing';
import { afterCommit } from '../../src/transactions';
import { cached, user } from './support/cache-fixtures';

describe('withCache: the result cache layer (in-process store)', () => {
  let inner: SQLiteAdapter;
  let adapter: CachedAdapter;
  /** Writes behind the layer's back, to show which reads come from the cache. */
  let raw: (sql: string, ...params: unknown[]) => void;

  beforeEach(async () => {
    inner = await SQLiteAdapter.open({ path: ':memory:' });
    adapter = withCache(inner, { store: new MemoryCacheStore() });
    raw = (sql, ...params) => void inner.connection.prepare(sql).run(...params);
  });
  afterEach(() => adapter.close());

  const firstNameOf = async (id: string, through: IDatabaseAdapter = adapter) =>
    (await through.findById<IUserEntity>(id, usersTable, cached))?.firstName;

  it('serves a read that asks for it from the cache, as a fresh copy each time', async () => {
    const created = await adapter.create(user('a@x.io'), usersTable);
    const first = await adapter.findMany<IUserEntity>(
      { filters: { email: 'a@x.io' }, ...cached },
      usersTable,
    );
    raw('UPDATE users SET first_name = ? WHERE id = ?', 'Behind', created.id);
    const second = await adapter.findMany<IUserEntity>(
      { ...cached, filters: { email: 'a@x.io' } },
      usersTable,
    );
    expect(second).toEqual(first);
    expect(second[0].firstName).toBe('Ada');
    second[0].firstName = 'Mutated';
    const third = await adapter.findMany<IUserEntity>(
      { filters: { email: 'a@x.io' }, ...cached },
      usersTable,
    );
    expect(third[0].firstName).toBe('Ada');
    expect(typeof third[0].createdAt).toBe(typeof created.createdAt);
    expect(adapter.cacheStats()).toMatchObject({
      hits: 2,
      misses: 1,
      hitRate: 2 / 3,
      store: 'memory',
    });
  });

  it('leaves reads without the option alone', async () => {
    const created = await adapter.create(user('a@x.io'), usersTable);
    await adapter.findById(created.id, usersTable);
    raw('UPDATE users SET first_name = ? WHERE id = ?', 'Behind', created.id);
    expect((await adapter.findById<IUserEntity>(created.id, usersTable))?.firstName).toBe('Behind');
    expect(adapter.cacheStats()).toMatchObject({ hits: 0, misses: 0, bypassed: 0, hitRate: 0 });
  });

  it('caches every kind of read, each under its own key, missing rows included', async () => {
    const created = await adapter.create(user('a@x.io'), usersTable);
    const missing = '00000000-0000-4000-8000-000000000000';
    const reads = () =>
      Promise.all([
        adapter.findById(missing, usersTable, cached),
        adapter.findByIds([created.id], usersTable, cached),
        adapter.findFirst({ filters: { email: 'a@x.io' }, ...cached }, usersTable),
        adapter.findPage({ pagination: { page: 1, limit: 5 }, ...cached }, usersTable),
        adapter.count({ email: 'a@x.io' }, usersTable, cached),
        adapter.exists(created.id, usersTable, cached),
      ]);
    const first = await reads();
    expect(await reads()).toEqual(first);
    expect(adapter.cacheStats()).toMatchObject({ hits: 6, misses: 6 });
  });

  it('invalidates a table when a write through the layer has run, before the write resolves', async () => {
    const created = await adapter.create(user('a@x.io'), usersTable);
    expect(await firstNameOf(created.id)).toBe('Ada');
    await adapter.update(created.id, { firstName: 'Grace' }, usersTable);
    expect(await firstNameOf(created.id)).toBe('Grace');
    await adapter.create(user('b@x.io'), usersTable);
    expect(await adapter.count({}, usersTable, cached)).toBe(2);
    await adapter.softDelete(created.id, usersTable);
    expect(await firstNameOf(created.id)).toBeUndefined();
  });

  it('invalidates even when the write fails (its outcome may be unknown)', async () => {
    const created = await adapter.create(user('a@x.io'), usersTable);
    await firstNameOf(created.id);
    raw('UPDATE users SET first_name = ? WHERE id = ?', 'Behind', created.id);
    await expect(adapter.create(user('a@x.io'), usersTable)).rejects.toThrow();
    expect(await firstNameOf(created.id)).toBe('Behind');
  });

  it('keeps other tables cached when one is written', async () => {
    const created = await adapter.create(user('a@x.io'), usersTable);
    await firstNameOf(created.id);
    raw('UPDATE users SET first_name = ? WHERE id = ?', 'Behind', created.id);
    // A write to another table (it fails, finding no row, and still invalidates its table).
    await expect(adapter.hardDelete(created.id, paymentsTable)).rejects.toThrow();
    expect(await firstNameOf(created.id)).toBe('Ada');
  });

  it('bypasses the cache inside a transaction, and invalidates at commit, before it resolves', async () => {
    const created = await adapter.create(user('a@x.io'), usersTable);
    expect(await firstNameOf(created.id)).toBe('Ada');
    let seenInside: string | undefined;
    let seenAfterCommit: string | undefined;
    await adapter.transaction(async () => {
      await adapter.update(created.id, { firstName: 'Grace' }, usersTable);
      seenInside = await firstNameOf(created.id);
      afterCommit(async () => {
        seenAfterCommit = await firstNameOf(created.id);
      });
    });
    expect(seenInside).toBe('Grace');
    expect(seenAfterCommit).toBe('Grace');
    expect(await firstNameOf(created.id)).toBe('Grace');
  });

  it('invalidates nothing when a transaction rolls back', async () => {
    const created = await adapter.create(user('a@x.io'), usersTable);
    await firstNameOf(created.id);
    const before = adapter.cacheStats();
    await expect(
      adapter.transaction(async () => {
        await adapter.update(created.id, { firstName: 'Grace' }, usersTable);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    raw('UPDATE users SET first_name = ? WHERE id = ?', 'Behind', created.id);
    expect(await firstNameOf(created.id)).toBe('Ada');
    expect(adapter.cacheStats().invalidations).toBe(before.invalidations);
  });

  it('handles transactions of beginTransaction(): commit invalidates, rollback does not', async () => {
    const created = await adapter.create(user('a@x.io'), usersTable);
    await firstNameOf(created.id);
    await adapter.beginTransaction();
    await adapter.update(created.id, { firstName: 'Grace' }, usersTable);
    expect(await firstNameOf(created.id)).toBe('Grace');
    await adapter.commitTransaction();
    expect(await firstNameOf(created.id)).toBe('Grace');

    await adapter.beginTransaction();
    await adapter.update(created.id, { firstName: 'Undone' }, usersTable);
    await adapter.rollbackTransaction();
    raw('UPDATE users SET first_name = ? WHERE id = ?', 'Behind', created.id);
    expect(await firstNameOf(created.id)).toBe('Grace');
  });

  it('never stores the result of a read that overlapped a write', async () => {
    const created = await adapter.create(user('a@x.io'), usersTable);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = Object.create(inner) as SQLiteAdapter;
    slow.findById = async (...args: Parameters<SQLiteAdapter['findById']>) => {
      const row = await inner.findById(...args);
      await gate;
      return row as never;
    };
    const layer = withCache(slow, { store: new MemoryCacheStore() });
    const overlapping = firstNameOf(created.id, layer);
    await new Promise((resolve) => setTimeout(resolve, 10));
    await layer.update(created.id, { firstName: 'Grace' }, usersTable);
    release();
    expect(await overlapping).toBe('Ada');
    expect(await firstNameOf(created.id, layer)).toBe('Grace');
  });

  it('refuses a malformed cache option with a ValidationException', async () => {
    await expect(adapter.findMany({ cache: { ttlMs: 0 } }, usersTable)).rejects.toThrow(
      ValidationException,
    );
    await expect(adapter.findMany({ cache: { ttlMs: 1.5 } }, usersTable)).rejects.toThrow(
      ValidationException,
    );
    await expect(adapter.findMany({ cache: { key: '' } }, usersTable)).rejects.toThrow(
      ValidationException,
    );
    await expect(adapter.findMany({ cache: 'yes' as never }, usersTable)).rejects.toThrow(
      ValidationException,
    );
  });

  it('serves reads under a caller-chosen key, per operation', async () => {
    await adapter.create(user('a@x.io'), usersTable);
    const named = { cache: { ttlMs: 60_000, key: 'everyone' } };
    const rows = await adapter.findMany(named, usersTable);
    expect(await adapter.count(undefined, usersTable, named)).toBe(1);
    expect(await adapter.findMany({ filters: { email: 'nobody' }, ...named }, usersTable)).toEqual(
      rows,
    );
  });

  it('forgets what it cached during a test transaction once that is rolled back', async () => {
    await beginTestTransaction(adapter);
    await adapter.create(user('a@x.io'), usersTable);
    expect(await adapter.count(undefined, usersTable, cached)).toBe(1);
    await rollbackTestTransaction(adapter);
    expect(await adapter.count(undefined, usersTable, cached)).toBe(0);
  });

  it('invalidates on demand, for writes made around the library', async () => {
    const created = await adapter.create(user('a@x.io'), usersTable);
    await firstNameOf(created.id);
    raw('UPDATE users SET first_name = ? WHERE id = ?', 'Behind', created.id);
    await adapter.invalidateCache([paymentsTable]);
    expect(await firstNameOf(created.id)).toBe('Ada');
    await adapter.invalidateCache(['users']);
    expect(await firstNameOf(created.id)).toBe('Behind');
    raw('UPDATE users SET first_name = ? WHERE id = ?', 'Again', created.id);
    await adapter.invalidateCache();
    expect(await firstNameOf(created.id)).toBe('Again');
  });

  it('returns hits as the adapter built them: entity class, hidden sensitive columns, property order', async () => {
    const created = await adapter.create(user('a@x.io'), usersTable);
    const miss = await adapter.findPage<IUserEntity>(
      { pagination: { page: 1, limit: 5 }, ...cached },
      usersTable,
    );
    const hit = await adapter.findPage<IUserEntity>(
      { pagination: { page: 1, limit: 5 }, ...cached },
      usersTable,
    );
    expect(adapter.cacheStats().hits).toBe(1);
    const [fresh, cachedRow] = [miss.data[0], hit.data[0]];
    expect(Object.getPrototypeOf(cachedRow)).toBe(Object.getPrototypeOf(fresh));
    expect(Object.getOwnPropertyNames(cachedRow)).toEqual(Object.getOwnPropertyNames(fresh));
    expect(Object.keys(cachedRow)).toEqual(Object.keys(fresh));
    expect(cachedRow.passwordHash).toBe('secret-hash');
    expect(inspect(cachedRow)).toBe(inspect(fresh));
    expect(inspect(cachedRow)).not.toContain('secret-hash');
    expect(JSON.stringify(hit)).toBe(JSON.stringify(miss));
    const single = await adapter.findById<IUserEntity>(created.id, usersTable, cached);
    const singleHit = await adapter.findById<IUserEntity>(created.id, usersTable, cached);
    expect(singleHit).toBeInstanceOf(Object.getPrototypeOf(single).constructor);
    expect(singleHit!.passwordHash).toBe('secret-hash');
  });

  it('answers any value of cache, and any read options, with a result or a typed error', async () => {
    const hostile: unknown[] = [
      null,
      '',
      'yes',
      0,
      -1,
      1.5,
      NaN,
      Infinity,
      10n,
      [],
      [1],
      Object.create(null),
      new Date(NaN),
      new Map(),
      Symbol('s'),
      () => undefined,
      Promise.resolve(1),
      { ttlMs: '5' },
      { ttlMs: -1 },
      { ttlMs: 2 ** 31 },
      { key: 5 },
      { key: 'x'.repeat(201) },
    ];
    for (const value of hostile) {
      for (const read of [
        () => adapter.findMany({ cache: value } as never, usersTable),
        () => adapter.findMany(value as never, usersTable),
        () => adapter.findMany({ filters: { email: value }, cache: true } as never, usersTable),
        () => adapter.count(undefined, usersTable, { cache: value } as never),
      ]) {
        const outcome = await read().then(
          () => 'resolved',
          (error: unknown) => error,
        );
        if (outcome !== 'resolved') expect(outcome).toBeInstanceOf(DatabaseException);
      }
    }
  });
});
