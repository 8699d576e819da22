import { Logger } from '@nestjs/common';
import { TransactionException, ValidationException } from '../../src/exceptions';
import { usersTable } from '../../src/schema';
import { beginTestTransaction, rollbackTestTransaction } from '../../src/testing';
import { afterCommit, afterRollback } from '../../src/transactions';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  caught,
  liveUsers,
  sleep,
  transactional,
  withProvider,
} from './conformance-setup';

const boom = new Error('boom');

/** First names of the scope's live users, sorted. */
async function names(adapter: Parameters<typeof liveUsers>[0], scope: Scope): Promise<string[]> {
  return (await liveUsers(adapter, scope)).map((user) => user.firstName).sort();
}

/**
 * Declarative transactions on every SQL provider: the propagation modes of transaction(work,
 * options) (what @Transactional() calls), isolation levels, and afterCommit / afterRollback.
 */
describe.each(CONFORMANCE_PROVIDERS)('transaction propagation and callbacks', (provider) => {
  withProvider(provider, (db) => {
    const create = (scope: Scope, firstName: string) =>
      db.adapter.create(scope.user({ firstName }), usersTable);

    describe('propagation', () => {
      it(
        'REQUIRED starts a transaction, and a nested REQUIRED joins it: undone with it, its failure undone alone',
        transactional(db, async () => {
          const scope = new Scope();
          const error = await caught(() =>
            db.adapter.transaction(async () => {
              await create(scope, 'Outer');
              await db.adapter.transaction(() => create(scope, 'Joined'), {
                propagation: 'REQUIRED',
              });
              expect(await names(db.adapter, scope)).toEqual(['Joined', 'Outer']);
              throw boom;
            }),
          );
          expect(error).toBe(boom);
          expect(await names(db.adapter, scope)).toEqual([]);

          await db.adapter.transaction(async () => {
            await create(scope, 'Kept');
            const failed = await caught(() =>
              db.adapter.transaction(async () => {
                await create(scope, 'Undone');
                throw boom;
              }),
            );
            expect(failed).toBe(boom);
          });
          expect(await names(db.adapter, scope)).toEqual(['Kept']);
        }),
      );

      it(
        'MANDATORY joins the open transaction and refuses to run without one',
        transactional(db, async () => {
          const scope = new Scope();
          const refused = await caught(() =>
            db.adapter.transaction(() => create(scope, 'Alone'), { propagation: 'MANDATORY' }),
          );
          expect(refused).toBeInstanceOf(TransactionException);
          expect((refused as Error).message).toMatch(/MANDATORY/);
          await caught(() =>
            db.adapter.transaction(async () => {
              await db.adapter.transaction(() => create(scope, 'Joined'), {
                propagation: 'MANDATORY',
              });
              throw boom;
            }),
          );
          expect(await names(db.adapter, scope)).toEqual([]);
        }),
      );

      it(
        'NEVER runs without a transaction and refuses to run inside one',
        transactional(db, async () => {
          const scope = new Scope();
          const error = await caught(() =>
            db.adapter.transaction(
              async () => {
                await create(scope, 'Autocommitted');
                throw boom;
              },
              { propagation: 'NEVER' },
            ),
          );
          expect(error).toBe(boom);
          expect(await names(db.adapter, scope)).toEqual(['Autocommitted']);

          await db.adapter.transaction(async () => {
            const refused = await caught(() =>
              db.adapter.transaction(() => create(scope, 'Never'), { propagation: 'NEVER' }),
            );
            expect(refused).toBeInstanceOf(TransactionException);
            expect((refused as Error).message).toMatch(/NEVER/);
            await create(scope, 'After');
          });
          expect(await names(db.adapter, scope)).toEqual(['After', 'Autocommitted']);
        }),
      );

      it(
        'SUPPORTS joins the open transaction, and without one runs without',
        transactional(db, async () => {
          const scope = new Scope();
          await caught(() =>
            db.adapter.transaction(
              async () => {
                await create(scope, 'Autocommitted');
                throw boom;
              },
              { propagation: 'SUPPORTS' },
            ),
          );
          expect(await names(db.adapter, scope)).toEqual(['Autocommitted']);
          await caught(() =>
            db.adapter.transaction(async () => {
              await db.adapter.transaction(() => create(scope, 'Joined'), {
                propagation: 'SUPPORTS',
              });
              throw boom;
            }),
          );
          expect(await names(db.adapter, scope)).toEqual(['Autocommitted']);
        }),
      );

      it(
        'REQUIRES_NEW commits on its own while the caller rolls back where there is a second connection, and is refused where there is not',
        transactional(db, async () => {
          const scope = new Scope();
          await db.adapter.transaction(() => create(scope, 'Alone'), {
            propagation: 'REQUIRES_NEW',
          });
          expect(await names(db.adapter, scope)).toEqual(['Alone']);

          if (db.adapter.capabilities.concurrentTransactions) {
            const error = await caught(() =>
              db.adapter.transaction(async () => {
                await create(scope, 'Outer');
                await db.adapter.transaction(
                  async () => {
                    // Its own connection: the caller's uncommitted row is not there.
                    expect(await names(db.adapter, scope)).toEqual(['Alone']);
                    await create(scope, 'Independent');
                  },
                  { propagation: 'REQUIRES_NEW' },
                );
                expect(await names(db.adapter, scope)).toEqual(['Alone', 'Independent', 'Outer']);
                throw boom;
              }),
            );
            expect(error).toBe(boom);
            expect(await names(db.adapter, scope)).toEqual(['Alone', 'Independent']);
            return;
          }
          await db.adapter.transaction(async () => {
            await create(scope, 'Outer');
            const refused = await caught(() =>
              db.adapter.transaction(() => create(scope, 'Refused'), {
                propagation: 'REQUIRES_NEW',
              }),
            );
            expect(refused).toBeInstanceOf(TransactionException);
            expect((refused as Error).message).toMatch(/REQUIRES_NEW.*single connection/);
            await create(scope, 'Continued');
          });
          expect(await names(db.adapter, scope)).toEqual(['Alone', 'Continued', 'Outer']);
        }),
      );

      it(
        'refuses an unknown propagation or isolation level, naming the option',
        transactional(db, async () => {
          const work = async () => 'ran';
          for (const [options, field] of [
            [{ propagation: 'NESTED' }, 'propagation'],
            [{ isolation: 'read uncommitted' }, 'isolation'],
            ['REQUIRED', 'options'],
          ] as const) {
            const error = await caught(() => db.adapter.transaction(work, options as never));
            expect(error).toBeInstanceOf(ValidationException);
            expect((error as ValidationException).field).toBe(field);
          }
        }),
      );
    });

    describe('isolation', () => {
      it(
        'starts a transaction at each level, and gives a repeatable read its snapshot',
        transactional(db, async () => {
          const scope = new Scope();
          for (const isolation of ['read committed', 'repeatable read', 'serializable'] as const) {
            await db.adapter.transaction(() => create(scope, isolation), { isolation });
          }
          expect(await names(db.adapter, scope)).toHaveLength(3);
          if (!db.adapter.capabilities.concurrentTransactions) return;
          // A write committed by another connection between two reads of the transaction.
          const user = await create(scope, 'Before');
          const twoReads = (isolation?: 'repeatable read') =>
            db.adapter.transaction(
              async () => {
                const first = await db.adapter.findById(user.id, usersTable);
                const next = first?.firstName === 'Before' ? 'After' : 'Before';
                await db.raw!.run('UPDATE users SET first_name = ? WHERE id = ?', [next, user.id]);
                const second = await db.adapter.findById(user.id, usersTable);
                return [first?.firstName, second?.firstName];
              },
              isolation ? { isolation } : undefined,
            );
          expect(await twoReads('repeatable read')).toEqual(['Before', 'Before']);
          expect(await twoReads()).toEqual(['After', 'Before']);
        }),
      );

      it(
        'lets a call join a transaction as strict as it asks, and refuses a stricter one where transactions overlap',
        transactional(db, async () => {
          const scope = new Scope();
          await db.adapter.transaction(
            () =>
              db.adapter.transaction(() => create(scope, 'Joined'), {
                isolation: 'repeatable read',
              }),
            { isolation: 'serializable' },
          );
          const stricter = () =>
            db.adapter.transaction(() =>
              db.adapter.transaction(() => create(scope, 'Stricter'), {
                isolation: 'serializable',
              }),
            );
          if (db.adapter.capabilities.concurrentTransactions) {
            const refused = await caught(stricter);
            expect(refused).toBeInstanceOf(TransactionException);
            expect((refused as Error).message).toMatch(/serializable.*read committed/);
            expect(await names(db.adapter, scope)).toEqual(['Joined']);
          } else {
            // One transaction at a time: every transaction is serializable.
            await stricter();
            expect(await names(db.adapter, scope)).toEqual(['Joined', 'Stricter']);
          }
        }),
      );
    });

    describe('afterCommit / afterRollback', () => {
      it(
        'runs afterCommit callbacks once, in order, after the outermost commit and before transaction() resolves',
        transactional(db, async () => {
          const scope = new Scope();
          const events: string[] = [];
          const result = await db.adapter.transaction(async () => {
            afterCommit(() => events.push('first'));
            afterRollback(() => events.push('rolled back'));
            await db.adapter.transaction(async () => {
              afterCommit(() => events.push('nested'));
              await create(scope, 'Nested');
            });
            expect(events).toEqual([]);
            afterCommit(async () => {
              await sleep(20);
              events.push('slow');
            });
            afterCommit(() => events.push('last'));
            return 'result';
          });
          expect(result).toBe('result');
          expect(events).toEqual(['first', 'nested', 'slow', 'last']);
          await sleep(30);
          expect(events).toEqual(['first', 'nested', 'slow', 'last']);
        }),
      );

      it(
        'runs afterRollback callbacks, released savepoints included, when the outermost transaction rolls back',
        transactional(db, async () => {
          const events: string[] = [];
          const error = await caught(() =>
            db.adapter.transaction(async () => {
              afterCommit(() => events.push('committed'));
              afterRollback(() => events.push('first'));
              await db.adapter.transaction(async () => {
                afterRollback(() => events.push('released savepoint'));
              });
              afterRollback(() => events.push('last'));
              throw boom;
            }),
          );
          expect(error).toBe(boom);
          expect(events).toEqual(['first', 'released savepoint', 'last']);
        }),
      );

      it(
        'drops the afterCommit callbacks of a savepoint rolled back, and runs its afterRollback ones at the end',
        transactional(db, async () => {
          const events: string[] = [];
          await db.adapter.transaction(async () => {
            afterCommit(() => events.push('outer committed'));
            await caught(() =>
              db.adapter.transaction(async () => {
                afterCommit(() => events.push('inner committed'));
                afterRollback(() => events.push('inner rolled back'));
                throw boom;
              }),
            );
            expect(events).toEqual([]);
          });
          expect(events).toEqual(['outer committed', 'inner rolled back']);
        }),
      );

      it(
        'logs a failing callback through Nest, never throws it, and runs the next ones',
        transactional(db, async () => {
          const scope = new Scope();
          const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
          try {
            const events: string[] = [];
            const result = await db.adapter.transaction(async () => {
              await create(scope, 'Committed');
              afterCommit(() => {
                throw new Error('mail server down');
              });
              afterCommit(async () => Promise.reject(new Error('queue down')));
              afterCommit(() => events.push('ran'));
              return 42;
            });
            expect(result).toBe(42);
            expect(events).toEqual(['ran']);
            expect(await names(db.adapter, scope)).toEqual(['Committed']);
            const messages = logged.mock.calls.map(([message]) => String(message));
            expect(messages).toEqual([
              expect.stringMatching(/afterCommit callback failed: mail server down/),
              expect.stringMatching(/afterCommit callback failed: queue down/),
            ]);
          } finally {
            logged.mockRestore();
          }
        }),
      );

      it(
        'runs callbacks outside the transaction that ended: a write of an afterRollback stays',
        transactional(db, async () => {
          const scope = new Scope();
          await caught(() =>
            db.adapter.transaction(async () => {
              await create(scope, 'Undone');
              afterRollback(() => create(scope, 'Audit'));
              throw boom;
            }),
          );
          expect(await names(db.adapter, scope)).toEqual(['Audit']);
        }),
      );

      it(
        'runs the callbacks of a beginTransaction() handle when it is committed or rolled back',
        transactional(db, async () => {
          const events: string[] = [];
          const handle = await db.adapter.beginTransaction();
          afterCommit(() => events.push('committed'));
          afterRollback(() => events.push('rolled back'));
          await db.adapter.commitTransaction(handle);
          expect(events).toEqual(['committed']);
          const other = await db.adapter.beginTransaction();
          afterRollback(() => events.push('rolled back'));
          await db.adapter.rollbackTransaction(other);
          expect(events).toEqual(['committed', 'rolled back']);
        }),
      );

      it(
        'runs afterCommit at once outside a transaction, and never an afterRollback',
        transactional(db, async () => {
          const events: string[] = [];
          afterCommit(() => events.push('at once'));
          afterRollback(() => events.push('never'));
          expect(events).toEqual(['at once']);
          await db.adapter.transaction(async () => afterCommit(() => events.push('committed')));
          await sleep(10);
          expect(events).toEqual(['at once', 'committed']);
          expect(() => afterCommit('not a function' as never)).toThrow(ValidationException);
        }),
      );
    });

    describe('in the test transaction', () => {
      it(
        "treats the app's outermost transaction as the one whose end runs the callbacks, and keeps every rule",
        transactional(db, async () => {
          const scope = new Scope();
          const events: string[] = [];
          await beginTestTransaction(db.adapter);
          try {
            await db.adapter.transaction(async () => {
              afterCommit(() => events.push('committed'));
              await create(scope, 'Inside');
            });
            expect(events).toEqual(['committed']);
            afterCommit(() => events.push('at once'));
            expect(events).toEqual(['committed', 'at once']);

            const mandatory = await caught(() =>
              db.adapter.transaction(() => create(scope, 'Mandatory'), {
                propagation: 'MANDATORY',
              }),
            );
            expect(mandatory).toBeInstanceOf(TransactionException);
            await db.adapter.transaction(() => create(scope, 'New'), {
              propagation: 'REQUIRES_NEW',
            });
            await db.adapter.transaction(async () => {
              const refused = await caught(() =>
                db.adapter.transaction(() => create(scope, 'Refused'), {
                  propagation: 'REQUIRES_NEW',
                }),
              );
              expect(refused).toBeInstanceOf(TransactionException);
            });
            expect(await names(db.adapter, scope)).toEqual(['Inside', 'New']);
          } finally {
            await rollbackTestTransaction(db.adapter);
          }
          expect(await names(db.adapter, scope)).toEqual([]);
        }),
      );
    });
  });
});
