/**
 * The client-side statement deadline behind a pooler (postgres-statement-deadline.ts): past it
 * the server is sent a CancelRequest, and that cancel must only ever reach the statement it was
 * meant for. A proxy in front of the server (or PgBouncer) sees every cancel and can make one
 * arrive late, after the statement has ended and the next one is running.
 */
import { PostgresAdapter, type PoolerMode } from '../../src/adapters/postgres';
import { ConnectionException } from '../../src/exceptions';
import { usersTable } from '../../src/schema/users.table';
import { type PgWireProxy, startPgWireProxy } from '../support/faults/pg-wire-proxy';
import { POSTGRES_ROUTES } from '../support/pgbouncer';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { caught, installProbeTrigger, userInput } from './postgres-test-helpers';

/** The deadline of these tests: long enough that the "innocent" statements finish well within it. */
const DEADLINE_MS = 300;

/** Directly, the server is a stand-in for a session pooler: the deadline applies the same way. */
const POOLER_BY_ROUTE: Record<string, PoolerMode> = {
  direct: 'session',
  'through PgBouncer': 'transaction',
};

describe.each(POSTGRES_ROUTES)('the statement deadline behind a pooler, $name', (route) => {
  route.describe(route.name, () => {
    let database: TestDatabase;
    let proxy: PgWireProxy;
    let adapter: PostgresAdapter;
    let serial = 0;
    const user = (firstName: string) => userInput(`deadline${++serial}`, { firstName });

    beforeAll(async () => {
      database = await createTestDatabase('deadline');
      const migrated = await PostgresAdapter.open({
        connectionString: database.url,
        migrate: true,
      });
      await migrated.close();
      await installProbeTrigger(database.url);
    });

    beforeEach(async () => {
      const routed = route.url(database.url);
      proxy = await startPgWireProxy(Number(new URL(routed).port));
      adapter = await PostgresAdapter.open({
        connectionString: proxy.url(routed),
        pooler: POOLER_BY_ROUTE[route.name],
        statementTimeoutMs: DEADLINE_MS,
        // One pooled connection: the next statement is sure to reuse the first one's client.
        pool: { max: 1 },
      });
    });

    afterEach(async () => {
      await adapter.close();
      await proxy.close();
    });

    afterAll(async () => {
      await database?.drop();
    });

    it('a cancel that arrives after its statement ended never cancels the next statement', async () => {
      proxy.cancelForwarding = 'after-next-statement';
      // Ends by itself 100 ms after its deadline, while its cancel is still on the way.
      await expect(adapter.create(user('sleep:0.4'), usersTable)).resolves.toBeDefined();
      expect(proxy.cancelRequests).toBe(1);
      // The late cancel is forwarded while this one runs: it must not be what it cancels.
      await expect(adapter.create(user('sleep:0.15'), usersTable)).resolves.toBeDefined();
      await expect(adapter.count(undefined, usersTable)).resolves.toBeGreaterThanOrEqual(2);
      // The cancel was not confirmed while it was held, so its client was dropped, not reused.
      expect(proxy.sessions).toBe(2);
    }, 15_000);

    it('a cancel the server answers keeps the connection: the next statement runs on it', async () => {
      const error = await caught(() => adapter.create(user('sleep:5'), usersTable));
      expect(error).toBeInstanceOf(ConnectionException);
      expect(error.details).toMatchObject({ timeout: true, sqlState: '57014' });
      expect(proxy.cancelRequests).toBe(1);
      await expect(adapter.create(user('sleep:0.1'), usersTable)).resolves.toBeDefined();
      // One session for both statements: the client was given back, not destroyed.
      expect(proxy.sessions).toBe(1);
    }, 15_000);
  });
});
