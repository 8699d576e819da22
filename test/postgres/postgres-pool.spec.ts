import { Client } from 'pg';
import { usersTable } from '../../src/schema/users.table';
import { describeWithPostgres } from '../support/postgres';
import { openPostgresFixture, userInput, type PostgresFixture } from './postgres-test-helpers';

/**
 * The warm-client stack in front of node-postgres' pool (src/adapters/postgres/postgres-pool.ts):
 * a statement reuses the client the last one used, and nothing pg-pool promised (its `max`, its
 * queue, its idle timeout, its counts) changes for anyone else who asks the pool.
 */
describeWithPostgres('PostgresPool: warm clients in front of pg-pool', () => {
  let fixture: PostgresFixture;
  let admin: Client;

  beforeAll(async () => {
    fixture = await openPostgresFixture('pg_pool');
    admin = new Client({ connectionString: fixture.database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await fixture?.dispose();
  });

  const backendPid = async (adapter: PostgresFixture['adapter']): Promise<number> => {
    const [row] = await adapter.sql`SELECT pg_backend_pid() AS pid`;
    return Number(row.pid);
  };

  it('runs consecutive statements on the same connection and counts it idle between them', async () => {
    const adapter = await fixture.open();
    const first = await backendPid(adapter);
    expect(adapter.pool.warmCount).toBe(1);
    expect(adapter.pool.idleCount).toBe(1);
    expect(adapter.poolStats()).toMatchObject({ total: 1, idle: 1, waiting: 0 });
    await adapter.create(userInput('warm1'), usersTable);
    expect(await backendPid(adapter)).toBe(first);
    expect(adapter.pool.totalCount).toBe(1);
  });

  it('hands a warm client to anyone else who asks the pool, so none of them waits', async () => {
    const adapter = await fixture.open({ pool: { max: 1, connectionTimeoutMillis: 2_000 } });
    await adapter.count({}, usersTable);
    expect(adapter.pool.warmCount).toBe(1);
    // The only client is warm: pg-pool itself sees it checked out. A promise and a callback
    // connect, and pool.query, all get it at once instead of timing out.
    const client = await adapter.pool.connect();
    client.release();
    const viaCallback = await new Promise<number>((resolve, reject) =>
      adapter.pool.connect((error, held, done) => {
        if (error || !held) return reject(error ?? new Error('no client'));
        void held.query('SELECT 1 AS one').then((result) => {
          done();
          resolve(Number(result.rows[0].one));
        }, reject);
      }),
    );
    expect(viaCallback).toBe(1);
    expect((await adapter.pool.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    expect(await adapter.count({}, usersTable)).toBeGreaterThanOrEqual(0);
  });

  it('gives a finished client to a caller waiting in pg-pool instead of keeping it warm', async () => {
    const adapter = await fixture.open({ pool: { max: 1, connectionTimeoutMillis: 3_000 } });
    let waited: Promise<number> | undefined;
    await adapter.transaction(async () => {
      await adapter.create(userInput('held'), usersTable);
      // The pool's one client is in this transaction: an outside caller queues in pg-pool.
      waited = adapter.pool.query('SELECT 3 AS three').then((r) => Number(r.rows[0].three));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(adapter.pool.waitingCount).toBe(1);
    });
    expect(await waited).toBe(3);
    expect(adapter.pool.warmCount).toBe(0);
  });

  it('lets an idle connection go after idleTimeoutMillis, as pg-pool alone would', async () => {
    const adapter = await fixture.open({ pool: { idleTimeoutMillis: 100 } });
    await adapter.count({}, usersTable);
    expect(adapter.pool.totalCount).toBe(1);
    // Up to idleTimeoutMillis on the stack, then up to idleTimeoutMillis idle in pg-pool.
    const deadline = Date.now() + 3_000;
    while (adapter.pool.totalCount > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(adapter.pool.totalCount).toBe(0);
    expect(adapter.pool.warmCount).toBe(0);
  });

  it('never hands out a warm client whose connection the server ended', async () => {
    const adapter = await fixture.open();
    const pid = await backendPid(adapter);
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    // The termination reaches the idle client as an 'error' event, which the pool notes on it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(adapter.pool.warmCount).toBe(1);
    const next = await backendPid(adapter);
    expect(next).not.toBe(pid);
  });

  it('closes warm connections when the adapter closes', async () => {
    const adapter = await fixture.open();
    await adapter.count({}, usersTable);
    expect(adapter.pool.warmCount).toBe(1);
    await adapter.close();
    expect(adapter.pool.totalCount).toBe(0);
    expect(adapter.pool.warmCount).toBe(0);
  });
});
