import { ValidationException } from '../../src/exceptions';
import { LruCache } from '../../src/cache/lru-cache';
import { MemoryCacheStore } from '../../src/cache/memory-cache.store';

describe('LruCache: bounded in entries and in time', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => (clock = 1_000));

  it('keeps at most maxEntries, dropping the least recently used and counting it', () => {
    const lru = new LruCache<string>({ maxEntries: 2, now });
    lru.set('a', 'A', 100);
    lru.set('b', 'B', 100);
    expect(lru.get('a')).toBe('A'); // a is now more recent than b
    lru.set('c', 'C', 100);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe('A');
    expect(lru.get('c')).toBe('C');
    expect(lru.size).toBe(2);
    expect(lru.evictions).toBe(1);
  });

  it('expires an entry after its own time-to-live, without counting an eviction', () => {
    const lru = new LruCache<string>({ maxEntries: 10, now });
    lru.set('short', 's', 10);
    lru.set('long', 'l', 1_000);
    clock += 10;
    expect(lru.get('short')).toBeUndefined();
    expect(lru.get('long')).toBe('l');
    expect(lru.size).toBe(1);
    expect(lru.evictions).toBe(0);
  });

  it('replaces a value set again, with its new time-to-live', () => {
    const lru = new LruCache<string>({ maxEntries: 1, now });
    lru.set('k', 'old', 5);
    lru.set('k', 'new', 50);
    clock += 20;
    expect(lru.get('k')).toBe('new');
    expect(lru.evictions).toBe(0);
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => new LruCache({ maxEntries: 0 })).toThrow(ValidationException);
    expect(() => new LruCache({ maxEntries: 1.5 })).toThrow(ValidationException);
  });
});

describe('MemoryCacheStore: versions per table', () => {
  it('makes entries of a table unreachable when it is invalidated, and only its', async () => {
    const store = new MemoryCacheStore();
    const users = await store.lookup('users', 'k');
    const payments = await store.lookup('payments', 'k');
    await store.store('users', 'k', users!.stamp, 'u', 1_000);
    await store.store('payments', 'k', payments!.stamp, 'p', 1_000);
    await store.invalidate(['users']);
    expect((await store.lookup('users', 'k'))!.text).toBeUndefined();
    expect((await store.lookup('payments', 'k'))!.text).toBe('p');
    await store.invalidate(undefined);
    expect((await store.lookup('payments', 'k'))!.text).toBeUndefined();
  });

  it('ignores a result stored under a stamp a write has moved past (a read that overlapped it)', async () => {
    const store = new MemoryCacheStore();
    const before = await store.lookup('users', 'k');
    await store.invalidate(['users']);
    await store.store('users', 'k', before!.stamp, 'old', 1_000);
    expect((await store.lookup('users', 'k'))!.text).toBeUndefined();
    // The same after every table was invalidated, for a table never written on its own.
    const other = await store.lookup('payments', 'k');
    await store.invalidate(undefined);
    await store.store('payments', 'k', other!.stamp, 'old', 1_000);
    expect((await store.lookup('payments', 'k'))!.text).toBeUndefined();
  });

  it('reports its entries and evictions', async () => {
    const store = new MemoryCacheStore({ maxEntries: 1 });
    const { stamp } = (await store.lookup('users', 'a'))!;
    await store.store('users', 'a', stamp, 'A', 1_000);
    await store.store('users', 'b', stamp, 'B', 1_000);
    expect(store.stats()).toEqual({ kind: 'memory', available: true, evictions: 1, entries: 1 });
  });
});
