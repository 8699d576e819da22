import type { PostgresAdapter } from '../../src/adapters/postgres';
import type { IUserEntity } from '../../src/entities/user.entity';
import {
  ConnectionException,
  TransactionException,
  UniqueConstraintException,
} from '../../src/exceptions';
import { usersTable } from '../../src/schema/users.table';
import { describeWithPostgres } from '../support/postgres';
import { openPostgresFixture, userInput, type PostgresFixture } from './postgres-test-helpers';

describeWithPostgres('PostgresAdapter transactions', () => {
  let fixture: PostgresFixture;
  let adapter: PostgresAdapter;

  beforeAll(async () => {
    fixture = await openPostgresFixture('pg_tx', { pool: { max: 10 } });
    adapter = fixture.adapter;
  });
  afterAll(() => fixture?.dispose());

  const emails = async (): Promise<string[]> =>
    (await adapter.findMany<IUserEntity>({ orderBy: { field: 'email' } }, usersTable)).map(
      (u) => u.email,
    );

  beforeEach(async () => {
    await fixture.adapter.pool.query('TRUNCATE users CASCADE');
  });

  it('commits the work of transaction() when it resolves', async () => {
    const result = await adapter.transaction(async () => {
      await adapter.create(userInput('c1'), usersTable);
      await adapter.create(userInput('c2'), usersTable);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await emails()).toEqual(['userc1@example.com', 'userc2@example.com']);
  });

  it('rolls back when the work throws and rethrows the caller error unchanged', async () => {
    const failure = new Error('boom');
    await expect(
      adapter.transaction(async () => {
        await adapter.create(userInput('r1'), usersTable);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await emails()).toEqual([]);
  });

  it('sees its own uncommitted rows inside, while other connections do not', async () => {
    await adapter.transaction(async () => {
      const user = await adapter.create(userInput('v1'), usersTable);
      expect(await adapter.findById(user.id, usersTable)).not.toBeNull();
      const outside = await fixture.adapter.pool.query('SELECT count(*)::int AS n FROM users');
      expect(outside.rows[0].n).toBe(0);
    });
  });

  it('rolls a failed nested transaction back to its savepoint and keeps the outer work', async () => {
    await adapter.transaction(async () => {
      await adapter.create(userInput('outer'), usersTable);
      await expect(
        adapter.transaction(async () => {
          await adapter.create(userInput('inner'), usersTable);
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
      // A database error in the savepoint must not poison the outer transaction either.
      await expect(
        adapter.transaction(() => adapter.create(userInput('outer'), usersTable)),
      ).rejects.toBeInstanceOf(UniqueConstraintException);
      await adapter.transaction(() => adapter.create(userInput('inner2'), usersTable));
    });
    expect(await emails()).toEqual(['userinner2@example.com', 'userouter@example.com']);
  });

  it('refuses to commit a transaction in which a statement failed and was caught', async () => {
    await adapter.create(userInput('dup'), usersTable);
    await expect(
      adapter.transaction(async () => {
        await adapter.create(userInput('kept?'), usersTable);
        await adapter.create(userInput('dup'), usersTable).catch(() => undefined);
      }),
    ).rejects.toBeInstanceOf(TransactionException);
    expect(await emails()).toEqual(['userdup@example.com']);
  });

  it('joins beginTransaction() from the calling context and commits or rolls back by handle', async () => {
    const handle = await adapter.beginTransaction();
    await adapter.create(userInput('h1'), usersTable);
    await adapter.commitTransaction(handle);

    const second = await adapter.beginTransaction();
    await adapter.create(userInput('h2'), usersTable);
    await adapter.rollbackTransaction(second);
    expect(await emails()).toEqual(['userh1@example.com']);
  });

  it('commits the context transaction without a handle and refuses a second commit', async () => {
    const run = async () => {
      await adapter.beginTransaction();
      await adapter.create(userInput('nh'), usersTable);
      await adapter.commitTransaction();
      await expect(adapter.commitTransaction()).rejects.toBeInstanceOf(TransactionException);
    };
    await run();
    expect(await emails()).toEqual(['usernh@example.com']);
  });

  it('keeps concurrent begin/commit/rollback flows apart: each handle is bound to its own client', async () => {
    const flow = async (n: number) => {
      const handle = await adapter.beginTransaction();
      await adapter.create(userInput(`f${n}`), usersTable);
      // Interleave the flows so their statements are in flight at the same time.
      await new Promise((resolve) => setTimeout(resolve, (n % 3) * 5));
      await adapter.create(userInput(`f${n}b`), usersTable);
      if (n % 2 === 0) await adapter.commitTransaction(handle);
      else await adapter.rollbackTransaction(handle);
    };
    await Promise.all([0, 1, 2, 3, 4, 5].map(flow));
    expect(await emails()).toEqual(
      [0, 2, 4].flatMap((n) => [`userf${n}@example.com`, `userf${n}b@example.com`]).sort(),
    );
  });

  it('runs transactions in parallel up to the pool size', async () => {
    const size = 4;
    const parallel = await fixture.open({ pool: { max: size } });
    let inside = 0;
    let arrived!: () => void;
    const allInside = new Promise<void>((resolve) => (arrived = resolve));
    // Every transaction waits until all have started: that only ends if they run side by side.
    await Promise.all(
      Array.from({ length: size }, (_, n) =>
        parallel.transaction(async () => {
          await parallel.create(userInput(`p${n}`), usersTable);
          inside += 1;
          if (inside === size) arrived();
          await allInside;
        }),
      ),
    );
    expect(await emails()).toHaveLength(size);
    await parallel.close();
  });

  it('leaves exactly the rows of the successful ones among 50 concurrent transactions', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, n) =>
        adapter.transaction(async () => {
          await adapter.create(userInput(`k${n}`), usersTable);
          await adapter.create(userInput(`k${n}x`), usersTable);
          if (n % 5 === 0) throw new Error(`transaction ${n} fails`);
          // Every seventh collides with itself: a database error that aborts the transaction.
          if (n % 7 === 0) await adapter.create(userInput(`k${n}`), usersTable);
        }),
      ),
    );
    const expected = outcomes
      .map((outcome, n) => ({ outcome, n }))
      .filter(({ outcome }) => outcome.status === 'fulfilled')
      .flatMap(({ n }) => [`userk${n}@example.com`, `userk${n}x@example.com`])
      .sort();
    const succeeded = outcomes.filter((o) => o.status === 'fulfilled').length;
    const failing = Array.from({ length: 50 }, (_, n) => n).filter(
      (n) => n % 5 === 0 || n % 7 === 0,
    );
    expect(succeeded).toBe(50 - failing.length);
    expect(await emails()).toEqual(expected);
    // Every client went back to the pool.
    expect(adapter.pool.totalCount - adapter.pool.idleCount).toBe(0);
  });

  it('reports a deadlock as a retryable TransactionException', async () => {
    const [a, b] = await Promise.all([
      adapter.create(userInput('dl1'), usersTable),
      adapter.create(userInput('dl2'), usersTable),
    ]);
    let bothLocked!: () => void;
    let locked = 0;
    const ready = new Promise<void>((resolve) => (bothLocked = resolve));
    const lockThenCross = (first: string, second: string) =>
      adapter.transaction(async () => {
        await adapter.update<IUserEntity>(first, { firstName: 'x' }, usersTable);
        locked += 1;
        if (locked === 2) bothLocked();
        await ready;
        await adapter.update<IUserEntity>(second, { firstName: 'y' }, usersTable);
      });
    const outcomes = await Promise.allSettled([
      lockThenCross(a.id, b.id),
      lockThenCross(b.id, a.id),
    ]);
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0].reason).toBeInstanceOf(TransactionException);
    expect(rejected[0].reason.retryable).toBe(true);
    expect(rejected[0].reason.details).toMatchObject({ sqlState: '40P01' });
  });

  it('reports a serialization failure as a retryable TransactionException', async () => {
    const user = await adapter.create(userInput('ser'), usersTable);
    // Every transaction of this adapter is SERIALIZABLE, through the startup `options`.
    const url = new URL(fixture.database.url);
    url.searchParams.set('options', '-c default_transaction_isolation=serializable');
    const serializable = await fixture.open({ connectionString: url.toString() });
    const failure = await serializable
      .transaction(async () => {
        await serializable.findById(user.id, usersTable); // takes the snapshot
        await adapter.update<IUserEntity>(user.id, { firstName: 'Concurrent' }, usersTable);
        await serializable.update<IUserEntity>(user.id, { firstName: 'Stale' }, usersTable);
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(TransactionException);
    expect((failure as TransactionException).retryable).toBe(true);
    expect((failure as TransactionException).details).toMatchObject({ sqlState: '40001' });
    expect((await adapter.findById(user.id, usersTable))?.firstName).toBe('Concurrent');
  });

  it('rejects commit and rollback of an unknown handle', async () => {
    await expect(adapter.commitTransaction({ id: 987654 })).rejects.toBeInstanceOf(
      TransactionException,
    );
    await expect(adapter.rollbackTransaction()).rejects.toBeInstanceOf(TransactionException);
  });

  describe('on a small pool', () => {
    /** A flow of its own: it begins a transaction and never ends it. */
    const forget = async (tag: string, on: PostgresAdapter): Promise<void> => {
      await Promise.resolve();
      await on.beginTransaction();
      await on.create(userInput(tag), usersTable);
    };

    it('gives the pool back once forgotten transactions time out', async () => {
      const small = await fixture.open({ pool: { max: 2 }, transactionTimeoutMs: 300 });
      await Promise.all([forget('f1', small), forget('f2', small)]);
      // Both connections are held: this waits until the transactions time out, then runs.
      expect(small.poolStats()).toMatchObject({ total: 2, idle: 0 });
      await small.create(userInput('after'), usersTable);
      expect(await emails()).toEqual(['userafter@example.com']);
    });

    it('says the pool is exhausted when every connection stays in use', async () => {
      const tiny = await fixture.open({
        pool: { max: 1, connectionTimeoutMillis: 200 },
        transactionTimeoutMs: 5_000,
      });
      const holder = (async () => {
        await Promise.resolve();
        const handle = await tiny.beginTransaction();
        await new Promise((resolve) => setTimeout(resolve, 600));
        await tiny.rollbackTransaction(handle);
      })();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const error = await tiny.findMany({}, usersTable).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionException);
      expect((error as ConnectionException).message).toBe(
        'No pooled connection became free within 200 ms: all of them (pool.max 1) were busy or ' +
          'still connecting (too many concurrent calls, a slow server, or transactions left open)',
      );
      expect((error as ConnectionException).details).toMatchObject({
        poolExhausted: true,
        sent: false,
      });
      await holder;
    });

    it('pings inside a transaction on its own connection, without a second one', async () => {
      const single = await fixture.open({
        pool: { max: 1, connectionTimeoutMillis: 200 },
      });
      await single.transaction(async () => {
        await single.create(userInput('p1'), usersTable);
        await expect(single.ping()).resolves.toBeUndefined();
      });
      expect(await emails()).toEqual(['userp1@example.com']);
    });
  });
});
