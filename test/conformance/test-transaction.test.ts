import { UniqueConstraintException } from '../../src/exceptions';
import { paymentsTable, usersTable } from '../../src/schema';
import { beginTestTransaction, rollbackTestTransaction } from '../../src/testing';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  caught,
  liveUsers,
  transactional,
  withProvider,
} from './conformance-setup';

/**
 * The test kit's transaction on every provider: what a test writes, through nested transactions,
 * handles and failed statements, is gone after its rollback.
 */
describe.each(CONFORMANCE_PROVIDERS)('test transaction', (provider) => {
  withProvider(provider, (db) => {
    it(
      'rolls back every write of the test, savepoints and failures included',
      transactional(db, async () => {
        const scope = new Scope();
        const { adapter } = db;
        await beginTestTransaction(adapter);
        try {
          const user = await adapter.create(scope.user(), usersTable);
          await adapter.transaction(async () => {
            await adapter.create(scope.payment(user.id), paymentsTable);
            const failed = await caught(() =>
              adapter.transaction(() =>
                adapter.create(scope.user({ email: user.email }), usersTable),
              ),
            );
            expect(failed).toBeInstanceOf(UniqueConstraintException);
          });
          const duplicate = await caught(() =>
            adapter.create(scope.user({ email: user.email }), usersTable),
          );
          expect(duplicate).toBeInstanceOf(UniqueConstraintException);
          const handle = await adapter.beginTransaction();
          await adapter.create(scope.user(), usersTable);
          await adapter.commitTransaction(handle);
          expect(await liveUsers(adapter, scope)).toHaveLength(2);
          expect(await adapter.count({ userId: user.id }, paymentsTable)).toBe(1);
        } finally {
          await rollbackTestTransaction(adapter);
        }
        expect(await liveUsers(adapter, scope)).toEqual([]);
      }),
    );
  });
});
