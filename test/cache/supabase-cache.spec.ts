/**
 * The cache layer over Supabase, at the fetch boundary: a hit sends no request, a write sends its
 * own and makes the next read go to PostgREST again, and a refused transaction leaves nothing
 * behind (PostgREST has none spanning calls).
 */
import { MemoryCacheStore, withCache } from '../../src/cache';
import { TransactionNotSupportedException } from '../../src/exceptions';
import {
  fakeAdapter,
  noteInput,
  noteRow,
  notesTable,
  ok,
  rejection,
} from '../supabase/support/fake-postgrest';

describe('withCache over Supabase (PostgREST)', () => {
  const cached = { cache: { ttlMs: 60_000 } };

  it('answers a hit without a request, and reads again after a write', async () => {
    const { adapter: supabase, fake } = fakeAdapter();
    const adapter = withCache(supabase, { store: new MemoryCacheStore() });
    fake.reply(ok([noteRow()]));
    const first = await adapter.findMany({ filters: { pinned: true }, ...cached }, notesTable);
    expect(fake.requests).toHaveLength(1);
    const second = await adapter.findMany({ filters: { pinned: true }, ...cached }, notesTable);
    expect(fake.requests).toHaveLength(1);
    expect(second).toEqual(first);
    expect(Object.getPrototypeOf(second[0])).toBe(Object.getPrototypeOf(first[0]));

    fake.reply(ok(noteRow({ title: 'Second' }), 201));
    await adapter.create(noteInput({ slug: 'second', title: 'Second' }), notesTable);
    fake.reply(ok([noteRow(), noteRow({ title: 'Second' })]));
    const third = await adapter.findMany({ filters: { pinned: true }, ...cached }, notesTable);
    expect(fake.requests).toHaveLength(3);
    expect(third).toHaveLength(2);
  });

  it('passes refused transactions through and keeps serving hits after them', async () => {
    const { adapter: supabase, fake } = fakeAdapter();
    const adapter = withCache(supabase, { store: new MemoryCacheStore() });
    fake.reply(ok([noteRow()]));
    await adapter.findMany(cached, notesTable);
    const error = await rejection(adapter.transaction(async () => undefined));
    expect(error).toBeInstanceOf(TransactionNotSupportedException);
    expect(await rejection(adapter.beginTransaction())).toBeInstanceOf(
      TransactionNotSupportedException,
    );
    await adapter.findMany(cached, notesTable);
    expect(fake.requests).toHaveLength(1);
    expect(adapter.cacheStats()).toMatchObject({ hits: 1, misses: 1, bypassed: 0 });
  });
});
