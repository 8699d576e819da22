import type { IterateFindOptions, IterateOptions } from '../../src/adapters/iterate-rows';
import type { IDatabaseAdapter } from '../../src/adapters/database-adapter.interface';
import type { QueryEvent } from '../../src/adapters/query-observer';
import type { IUserEntity } from '../../src/entities/user.entity';
import { ValidationException } from '../../src/exceptions';
import { withObservation } from '../../src/observation';
import { usersTable } from '../../src/schema/users.table';
import {
  CONFORMANCE_PROVIDERS,
  caught,
  expectValidation,
  ids,
  Scope,
  transactional,
  withProvider,
} from './conformance-setup';

/** Every row an iteration yields, in order. */
async function drain(
  adapter: IDatabaseAdapter,
  options: IterateFindOptions,
  iterateOptions?: IterateOptions,
): Promise<IUserEntity[]> {
  const rows: IUserEntity[] = [];
  for await (const row of adapter.iterate(options, usersTable, iterateOptions)) rows.push(row);
  return rows;
}

/** Names whose order differs from creation order, ties included, and a hostile one. */
const LAST_NAMES = ['Moss', "O'Hara", 'Abe', 'Moss', '"),or(id.gt.0', 'Zhu', 'Abe', 'Moss'];

describe.each(CONFORMANCE_PROVIDERS)('iterate', (provider) => {
  withProvider(provider, (db) => {
    async function seed(scope: Scope): Promise<void> {
      await db.adapter.createMany(
        LAST_NAMES.map((lastName) => scope.user({ lastName })),
        usersTable,
      );
    }

    it('yields every matching row once, in the order findMany gives, across batches', async () => {
      const scope = new Scope();
      await seed(scope);
      for (const orderBy of [
        undefined,
        { field: 'lastName', direction: 'desc' as const },
        [{ field: 'lastName' }, { field: 'createdAt', direction: 'desc' as const }],
      ]) {
        const options = { filters: scope.users(), orderBy };
        const expected = ids(await db.adapter.findMany(options, usersTable));
        expect(expected).toHaveLength(LAST_NAMES.length);
        for (const batchSize of [1, 3, 8, 100]) {
          expect(ids(await drain(db.adapter, options, { batchSize }))).toEqual(expected);
        }
      }
      const filtered = await drain(db.adapter, {
        filters: { ...scope.users(), lastName: 'Moss' },
      });
      expect(filtered.map((u) => u.lastName)).toEqual(['Moss', 'Moss', 'Moss']);
    });

    it('leaves soft-deleted rows out unless includeDeleted', async () => {
      const scope = new Scope();
      await seed(scope);
      const [gone] = await db.adapter.findMany({ filters: scope.users() }, usersTable);
      await db.adapter.softDelete(gone.id, usersTable);
      const live = await drain(db.adapter, { filters: scope.users() }, { batchSize: 2 });
      expect(ids(live)).not.toContain(gone.id);
      expect(live).toHaveLength(LAST_NAMES.length - 1);
      const all = await drain(
        db.adapter,
        { filters: scope.users(), includeDeleted: true },
        { batchSize: 2 },
      );
      expect(ids(all)).toContain(gone.id);
      expect(all).toHaveLength(LAST_NAMES.length);
    });

    it('reads a batch only when the loop needs it, and stops when the loop breaks', async () => {
      const scope = new Scope();
      await seed(scope);
      const events: QueryEvent[] = [];
      const observed = withObservation(db.adapter, { onQuery: (event) => events.push(event) });
      const seen: string[] = [];
      const iterable = observed.iterate({ filters: scope.users() }, usersTable, { batchSize: 2 });
      expect(events).toHaveLength(0);
      for await (const user of iterable) {
        seen.push(user.id);
        if (seen.length === 3) break;
      }
      expect(seen).toHaveLength(3);
      expect(events.map((e) => e.operation)).toEqual(['findPage', 'findPage']);

      // Nothing matching: one read, no row.
      events.length = 0;
      const none = await drain(observed, { filters: { ...scope.users(), lastName: 'none' } });
      expect(none).toEqual([]);
      expect(events.map((e) => e.operation)).toEqual(['findPage']);
    });

    it(
      'inside a transaction, reads each batch in it',
      transactional(db, async () => {
        const scope = new Scope();
        await db.adapter.transaction(async () => {
          await seed(scope);
          const rows = await drain(db.adapter, { filters: scope.users() }, { batchSize: 3 });
          expect(rows).toHaveLength(LAST_NAMES.length);
        });
      }),
    );

    it('refuses a bad batch size, a page, and an order it cannot page by', async () => {
      for (const batchSize of [0, 1.5, -1, Number.NaN, '10']) {
        const error = await caught(async () =>
          drain(db.adapter, {}, { batchSize: batchSize as number }),
        );
        expect(error).toBeInstanceOf(ValidationException);
        expect((error as ValidationException).field).toBe('batchSize');
      }
      // Above the page maximum (100 by default), named as the caller named it.
      await expectValidation(() => drain(db.adapter, {}, { batchSize: 101 }), 'batchSize');
      await expectValidation(
        () => drain(db.adapter, { pagination: { limit: 5 } } as IterateFindOptions),
        'pagination',
      );
      await expectValidation(
        () => drain(db.adapter, { orderBy: { field: 'lastLogin' } }),
        'lastLogin',
      );
      await expectValidation(() => drain(db.adapter, { filters: { nope: 1 } }), 'nope');
    });
  });
});
