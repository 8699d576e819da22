import { type CachedAdapter, MemoryCacheStore, withCache } from '../../src/cache';
import type { IUserEntity } from '../../src/entities/user.entity';
import { paymentsTable, usersTable } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  type ConformanceDatabase,
  Scope,
  transactional,
  withProvider,
} from './conformance-setup';

const cached = { cache: { ttlMs: 60_000 } };

/** The cache layer over the provider's adapter (not closed: the adapter is the file's). */
const layer = (db: ConformanceDatabase): CachedAdapter =>
  withCache(db.adapter, { store: new MemoryCacheStore() });

const nameOf = async (adapter: CachedAdapter, id: string) =>
  (await adapter.findById<IUserEntity>(id, usersTable, cached))?.firstName;

describe.each(CONFORMANCE_PROVIDERS)('result cache', (provider) => {
  withProvider(provider, (db) => {
    it('serves a cached read until a write through the layer changes its table', async () => {
      const scope = new Scope();
      const adapter = layer(db);
      const created = await adapter.create(scope.user(), usersTable);
      const filters = { filters: scope.users(), ...cached };
      expect(await adapter.count(scope.users(), usersTable, cached)).toBe(1);
      expect(await adapter.findMany(filters, usersTable)).toHaveLength(1);
      expect(await adapter.findMany(filters, usersTable)).toHaveLength(1);
      expect(adapter.cacheStats()).toMatchObject({ hits: 1, misses: 2 });
      await adapter.create(scope.user(), usersTable);
      expect(await adapter.count(scope.users(), usersTable, cached)).toBe(2);
      expect(await adapter.findMany(filters, usersTable)).toHaveLength(2);
      await adapter.update(created.id, { firstName: 'Grace' }, usersTable);
      expect(await nameOf(adapter, created.id)).toBe('Grace');
      await adapter.hardDelete(created.id, usersTable);
      expect(await nameOf(adapter, created.id)).toBeUndefined();
      expect(await adapter.exists(created.id, usersTable, cached)).toBe(false);
    });

    it('never serves a read of other tables stale: includes and relation filters go uncached', async () => {
      const scope = new Scope();
      const adapter = layer(db);
      const user = await adapter.create(scope.user(), usersTable);
      const withPayments = {
        filters: { id: user.id },
        include: { payments: true as const },
        ...cached,
      };
      const paying = { filters: { id: user.id, payments: { some: {} } }, ...cached };
      const read = async () => (await adapter.findMany(withPayments, usersTable))[0];
      expect((await read()) as unknown).toMatchObject({ payments: [] });
      expect(await adapter.count(paying.filters, usersTable, cached)).toBe(0);
      await adapter.create(scope.payment(user.id), paymentsTable);
      expect(((await read()) as unknown as { payments: unknown[] }).payments).toHaveLength(1);
      expect(await adapter.count(paying.filters, usersTable, cached)).toBe(1);
      expect(await adapter.findMany(paying, usersTable)).toHaveLength(1);
      expect(adapter.cacheStats().hits).toBe(0);
    });

    it(
      'invalidates at commit, before the transaction resolves, and not at all on rollback',
      transactional(db, async () => {
        const adapter = layer(db);
        const created = await adapter.create(new Scope().user(), usersTable);
        expect(await nameOf(adapter, created.id)).toBe('Ada');
        await adapter.transaction(async () => {
          await adapter.update(created.id, { firstName: 'Grace' }, usersTable);
          expect(await nameOf(adapter, created.id)).toBe('Grace');
        });
        expect(await nameOf(adapter, created.id)).toBe('Grace');

        const { invalidations } = adapter.cacheStats();
        await expect(
          adapter.transaction(async () => {
            await adapter.update(created.id, { firstName: 'Undone' }, usersTable);
            throw new Error('roll back');
          }),
        ).rejects.toThrow('roll back');
        expect(adapter.cacheStats().invalidations).toBe(invalidations);
        expect(await nameOf(adapter, created.id)).toBe('Grace');
      }),
    );

    it(
      'counts the writes of a savepoint with the transaction that commits them',
      transactional(db, async () => {
        const adapter = layer(db);
        const created = await adapter.create(new Scope().user(), usersTable);
        expect(await nameOf(adapter, created.id)).toBe('Ada');
        await adapter.transaction(async () => {
          await adapter.transaction(async () => {
            await adapter.update(created.id, { firstName: 'Kept' }, usersTable);
          });
          await adapter
            .transaction(async () => {
              await adapter.update(created.id, { firstName: 'Undone' }, usersTable);
              throw new Error('savepoint rolled back');
            })
            .catch(() => undefined);
        });
        expect(await nameOf(adapter, created.id)).toBe('Kept');

        const handle = await adapter.beginTransaction();
        await adapter.update(created.id, { lastName: 'Hopper' }, usersTable);
        await adapter.commitTransaction(handle);
        expect(
          (await adapter.findById<IUserEntity>(created.id, usersTable, cached))?.lastName,
        ).toBe('Hopper');
      }),
    );

    it('invalidates a REQUIRES_NEW transaction at its own commit, whatever becomes of the outer one', async () => {
      if (!db.adapter.capabilities.concurrentTransactions) return;
      const adapter = layer(db);
      const created = await adapter.create(new Scope().user(), usersTable);
      expect(await nameOf(adapter, created.id)).toBe('Ada');
      await expect(
        adapter.transaction(async () => {
          await adapter.transaction(
            () => adapter.update(created.id, { firstName: 'Independent' }, usersTable),
            { propagation: 'REQUIRES_NEW' },
          );
          throw new Error('the outer one rolls back');
        }),
      ).rejects.toThrow('the outer one rolls back');
      expect(await nameOf(adapter, created.id)).toBe('Independent');
    });
  });
});
