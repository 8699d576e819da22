import { TransactionException } from '../../src/exceptions';
import { usersTable } from '../../src/schema';
import { afterCommit, afterRollback } from '../../src/transactions';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  caught,
  signal,
  sleep,
  transactional,
  flowOfItsOwn,
  liveUsers as live,
  settled,
  withProvider,
} from './conformance-setup';

/** Short enough to wait out in a test, long enough for a few statements on a loaded machine. */
const TIMEOUT_MS = 300;

/**
 * The time limit of transactions (transactionTimeoutMs), on every SQL provider: no transaction of
 * either form holds the database past it, and nothing of one that ended by it runs afterwards.
 * A file of its own, as its tests wait the limit out.
 */
describe.each(CONFORMANCE_PROVIDERS)('transaction time limit', (provider) => {
  withProvider(
    provider,
    (db) => {
      it(
        'makes every later statement of a begun transaction that timed out throw',
        transactional(db, async () => {
          const scope = new Scope();
          const handle = await db.adapter.beginTransaction();
          await db.adapter.create(scope.user({ firstName: 'First' }), usersTable);
          await sleep(TIMEOUT_MS * 2);
          const late = await caught(() =>
            db.adapter.create(scope.user({ firstName: 'Late' }), usersTable),
          );
          expect(late).toBeInstanceOf(TransactionException);
          expect(await caught(() => db.adapter.findMany({}, usersTable))).toBeInstanceOf(
            TransactionException,
          );
          expect(await caught(() => db.adapter.commitTransaction(handle))).toBeInstanceOf(
            TransactionException,
          );
          // The flow's own commit attempt ends its part in the transaction: it works again.
          expect(await live(db.adapter, scope)).toEqual([]);
        }),
      );

      it(
        'rejects transaction(work) once it times out, after its afterRollback callbacks, and every later statement of the work',
        transactional(db, async () => {
          const scope = new Scope();
          const workDone = signal();
          let late: unknown;
          let workFinished = false;
          const callbacks: string[] = [];
          const error = await caught(() =>
            db.adapter.transaction(async () => {
              afterRollback(() => callbacks.push('rolled back'));
              afterCommit(() => callbacks.push('committed'));
              await db.adapter.create(scope.user({ firstName: 'First' }), usersTable);
              await sleep(TIMEOUT_MS * 2);
              late = await caught(() =>
                db.adapter.create(scope.user({ firstName: 'Late' }), usersTable),
              );
              workFinished = true;
              workDone.fire();
            }),
          );
          expect(error).toBeInstanceOf(TransactionException);
          expect((error as Error).message).toMatch(/timed out/);
          // Rejected at the limit, not when the work got round to finishing, after the callbacks.
          expect(workFinished).toBe(false);
          expect(callbacks).toEqual(['rolled back']);
          await workDone.promise;
          expect(late).toBeInstanceOf(TransactionException);
          expect(await live(db.adapter, scope)).toEqual([]);
        }),
      );

      it(
        'frees the database from a transaction whose work never settles',
        transactional(db, async () => {
          const scope = new Scope();
          const stuck = settled(db.adapter.transaction(() => new Promise<never>(() => {})));
          const outside = await db.adapter.create(scope.user(), usersTable);
          expect((await stuck).status).toBe('rejected');
          expect(((await stuck) as PromiseRejectedResult).reason).toBeInstanceOf(
            TransactionException,
          );
          expect(await live(db.adapter, scope)).toEqual([outside]);
        }),
      );

      it(
        'frees the database from a forgotten beginTransaction()',
        transactional(db, async () => {
          const scope = new Scope();
          const forgotten = (async () => {
            await flowOfItsOwn();
            await db.adapter.beginTransaction();
            await db.adapter.create(scope.user({ firstName: 'Forgotten' }), usersTable);
          })();
          await forgotten;
          const outside = await db.adapter.create(scope.user({ firstName: 'Outside' }), usersTable);
          await sleep(TIMEOUT_MS * 2);
          expect((await live(db.adapter, scope)).map((u) => u.firstName)).toEqual(['Outside']);
          expect(outside.firstName).toBe('Outside');
        }),
      );
    },
    { transactionTimeoutMs: TIMEOUT_MS },
  );
});
