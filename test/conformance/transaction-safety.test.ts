import {
  ConnectionException,
  TransactionException,
  UniqueConstraintException,
  ValidationException,
} from '../../src/exceptions';
import { usersTable } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  caught,
  sleep,
  sortedIds,
  signal,
  transactional,
  flowOfItsOwn,
  liveUsers as live,
  settled,
  withProvider,
} from './conformance-setup';

describe.each(CONFORMANCE_PROVIDERS)('transaction safety', (provider) => {
  withProvider(provider, (db) => {
    describe('a nested transaction and its parent scope', () => {
      it(
        'never undoes a write of the parent scope issued while the child was open',
        transactional(db, async () => {
          const scope = new Scope();
          const y = await db.adapter.transaction(async () => {
            const [child, parent] = await Promise.allSettled([
              db.adapter.transaction(async () => {
                await db.adapter.create(scope.user({ firstName: 'X' }), usersTable);
                throw new Error('child fails');
              }),
              db.adapter.create(scope.user({ firstName: 'Y' }), usersTable),
            ]);
            expect(child.status).toBe('rejected');
            if (parent.status !== 'fulfilled') throw parent.reason;
            return parent.value;
          });
          const stored = await live(db.adapter, scope);
          expect(stored.map((u) => u.firstName)).toEqual(['Y']);
          expect(stored[0]).toEqual(y);
        }),
      );

      it(
        'makes a parent statement wait for the open child, then run in the parent',
        transactional(db, async () => {
          const scope = new Scope();
          const childWrote = signal();
          const release = signal();
          await db.adapter.transaction(async () => {
            const child = db.adapter.transaction(async () => {
              await db.adapter.create(scope.user({ firstName: 'X' }), usersTable);
              childWrote.fire();
              await release.promise;
              throw new Error('child fails');
            });
            await childWrote.promise;
            const parentWrite = db.adapter.create(scope.user({ firstName: 'Y' }), usersTable);
            await sleep(20);
            release.fire();
            expect(((await caught(() => child)) as Error).message).toBe('child fails');
            await parentWrite;
          });
          expect((await live(db.adapter, scope)).map((u) => u.firstName)).toEqual(['Y']);
        }),
      );
    });

    describe('a transaction that has ended', () => {
      it(
        'makes statements of a flow whose transaction another flow rolled back throw',
        transactional(db, async () => {
          const scope = new Scope();
          const begun = signal();
          const rolledBack = signal();
          let handle!: { id: number };
          const flow = (async () => {
            await flowOfItsOwn();
            handle = await db.adapter.beginTransaction();
            await db.adapter.create(scope.user({ firstName: 'Before' }), usersTable);
            begun.fire();
            await rolledBack.promise;
            return caught(() => db.adapter.create(scope.user({ firstName: 'After' }), usersTable));
          })();
          await begun.promise;
          await db.adapter.rollbackTransaction(handle);
          rolledBack.fire();
          expect(await flow).toBeInstanceOf(TransactionException);
          expect(await live(db.adapter, scope)).toEqual([]);
        }),
      );
    });

    it(
      'refuses a second beginTransaction() of a flow whose first BEGIN is still on its way',
      transactional(db, async () => {
        const scope = new Scope();
        const first = db.adapter.beginTransaction();
        await Promise.resolve();
        expect(await caught(() => db.adapter.beginTransaction())).toBeInstanceOf(
          TransactionException,
        );
        const kept = await db.adapter.create(scope.user(), usersTable);
        await db.adapter.commitTransaction(await first);
        expect(await live(db.adapter, scope)).toEqual([kept]);
      }),
    );

    it(
      'refuses commitTransaction() inside transaction(work), whose work goes on inside it',
      transactional(db, async () => {
        const scope = new Scope();
        const error = await caught(() =>
          db.adapter.transaction(async () => {
            await db.adapter.create(scope.user({ firstName: 'A' }), usersTable);
            expect(await caught(() => db.adapter.commitTransaction())).toBeInstanceOf(
              TransactionException,
            );
            await db.adapter.create(scope.user({ firstName: 'B' }), usersTable);
            throw new Error('undo both');
          }),
        );
        expect((error as Error).message).toBe('undo both');
        expect(await live(db.adapter, scope)).toEqual([]);
      }),
    );

    it(
      'refuses a statement the work left running after its transaction committed',
      transactional(db, async () => {
        const scope = new Scope();
        const later = signal();
        let lingering!: Promise<unknown>;
        await db.adapter.transaction(async () => {
          await db.adapter.create(scope.user({ firstName: 'Kept' }), usersTable);
          lingering = (async () => {
            await later.promise;
            return db.adapter.create(scope.user({ firstName: 'Late' }), usersTable);
          })();
        });
        later.fire();
        expect(await caught(() => lingering)).toBeInstanceOf(TransactionException);
        expect((await live(db.adapter, scope)).map((u) => u.firstName)).toEqual(['Kept']);
      }),
    );

    it(
      'refuses a second beginTransaction() in a flow that already has one open',
      transactional(db, async () => {
        const scope = new Scope();
        const first = await db.adapter.beginTransaction();
        const kept = await db.adapter.create(scope.user(), usersTable);
        expect(await caught(() => db.adapter.beginTransaction())).toBeInstanceOf(
          TransactionException,
        );
        expect(
          await caught(() =>
            db.adapter.transaction(async () => {
              await db.adapter.beginTransaction();
            }),
          ),
        ).toBeInstanceOf(TransactionException);
        await db.adapter.commitTransaction(first);
        expect(await live(db.adapter, scope)).toEqual([kept]);
      }),
    );

    describe('a statement that fails inside a transaction', () => {
      it(
        'makes the rest of the transaction throw and rolls it back, even when caught',
        transactional(db, async () => {
          const scope = new Scope();
          const taken = await db.adapter.create(scope.user(), usersTable);
          let afterFailure: unknown;
          const error = await caught(() =>
            db.adapter.transaction(async () => {
              await db.adapter.create(scope.user({ firstName: 'A' }), usersTable);
              const duplicate = await caught(() =>
                db.adapter.create(scope.user({ email: taken.email }), usersTable),
              );
              expect(duplicate).toBeInstanceOf(UniqueConstraintException);
              afterFailure = await caught(() =>
                db.adapter.create(scope.user({ firstName: 'B' }), usersTable),
              );
            }),
          );
          expect(afterFailure).toBeInstanceOf(TransactionException);
          expect(error).toBeInstanceOf(TransactionException);
          expect(await live(db.adapter, scope)).toEqual([taken]);
        }),
      );

      it(
        'refuses to commit a begun transaction in which a statement failed',
        transactional(db, async () => {
          const scope = new Scope();
          const taken = await db.adapter.create(scope.user(), usersTable);
          const handle = await db.adapter.beginTransaction();
          await db.adapter.create(scope.user({ firstName: 'A' }), usersTable);
          await caught(() => db.adapter.create(scope.user({ email: taken.email }), usersTable));
          expect(await caught(() => db.adapter.commitTransaction(handle))).toBeInstanceOf(
            TransactionException,
          );
          expect(await live(db.adapter, scope)).toEqual([taken]);
        }),
      );

      it(
        'is undone alone when it ran in a nested transaction, and the rest commits',
        transactional(db, async () => {
          const scope = new Scope();
          const taken = await db.adapter.create(scope.user(), usersTable);
          const kept = await db.adapter.transaction(async () => {
            const a = await db.adapter.create(scope.user({ firstName: 'A' }), usersTable);
            const duplicate = await caught(() =>
              db.adapter.transaction(() =>
                db.adapter.create(scope.user({ email: taken.email }), usersTable),
              ),
            );
            expect(duplicate).toBeInstanceOf(UniqueConstraintException);
            const b = await db.adapter.create(scope.user({ firstName: 'B' }), usersTable);
            return [a, b];
          });
          expect(sortedIds(await live(db.adapter, scope))).toEqual(sortedIds([taken, ...kept]));
        }),
      );

      it(
        'rolls a nested transaction back when its work caught a failed statement',
        transactional(db, async () => {
          const scope = new Scope();
          const taken = await db.adapter.create(scope.user(), usersTable);
          const kept = await db.adapter.transaction(async () => {
            const inner = await caught(() =>
              db.adapter.transaction(async () => {
                await db.adapter.create(scope.user({ firstName: 'Inner' }), usersTable);
                await caught(() =>
                  db.adapter.create(scope.user({ email: taken.email }), usersTable),
                );
              }),
            );
            expect(inner).toBeInstanceOf(TransactionException);
            return db.adapter.create(scope.user({ firstName: 'Outer' }), usersTable);
          });
          expect(sortedIds(await live(db.adapter, scope))).toEqual(sortedIds([taken, kept]));
        }),
      );

      it(
        'leaves the transaction usable after errors the database never saw',
        transactional(db, async () => {
          const scope = new Scope();
          const stored = await db.adapter.transaction(async () => {
            const a = await db.adapter.create(scope.user({ firstName: 'A' }), usersTable);
            expect(
              await caught(() => db.adapter.findMany({ filters: { nope: 1 } }, usersTable)),
            ).toBeInstanceOf(ValidationException);
            await caught(() =>
              db.adapter.update(
                '00000000-0000-4000-8000-000000000000',
                { firstName: 'Z' },
                usersTable,
              ),
            );
            const b = await db.adapter.create(scope.user({ firstName: 'B' }), usersTable);
            return [a, b];
          });
          expect(sortedIds(await live(db.adapter, scope))).toEqual(sortedIds(stored));
        }),
      );
    });

    it(
      'rejects every statement still waiting when the adapter is closed',
      transactional(db, async () => {
        const adapter = await db.openAnother();
        const scope = new Scope();
        const childOpen = signal();
        const waiting: Promise<unknown>[] = [];
        const flow = (async () => {
          await flowOfItsOwn();
          await adapter.beginTransaction();
          await adapter.create(scope.user({ firstName: 'Inside' }), usersTable);
          void settled(
            adapter.transaction(async () => {
              childOpen.fire();
              await new Promise(() => {});
            }),
          );
          await childOpen.promise;
          // A statement of the parent scope waits for the open child.
          waiting.push(adapter.create(scope.user({ firstName: 'Parent' }), usersTable));
        })();
        await flow;
        await sleep(10);
        await adapter.close();
        const outcomes = await Promise.all(waiting.map(settled));
        for (const outcome of outcomes) {
          expect(outcome.status).toBe('rejected');
          expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionException);
        }
        expect(await caught(() => adapter.create(scope.user(), usersTable))).toBeInstanceOf(
          ConnectionException,
        );
      }),
    );

    it('gives the total and the rows of a page from one snapshot under a concurrent writer', async () => {
      const scope = new Scope();
      let writing = true;
      const writer = (async () => {
        while (writing) {
          const user = await db.adapter.create(scope.user(), usersTable);
          if (Math.random() < 0.5) await db.adapter.hardDelete(user.id, usersTable);
        }
      })();
      try {
        for (let i = 0; i < 200; i++) {
          // Pages 1 to 4 of 5 rows: the rows a snapshot of `total` rows has at that offset.
          const number = (i % 4) + 1;
          const page = await db.adapter.findPage(
            { filters: scope.users(), pagination: { page: number, limit: 5 } },
            usersTable,
          );
          if (!('total' in page)) throw new Error('expected an offset page');
          const expected = Math.max(0, Math.min(5, page.total - (number - 1) * 5));
          expect(page.data.length).toBe(expected);
        }
      } finally {
        writing = false;
        await writer;
      }
    });
  });
});
