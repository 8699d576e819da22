import { PostgresAdapter, type PostgresAdapterOptions } from '../../src/adapters/postgres';
import type { IUserEntity } from '../../src/entities/user.entity';
import { ConnectionException } from '../../src/exceptions';
import { usersTable } from '../../src/schema/users.table';
import { startPgWireProxy } from '../support/faults/pg-wire-proxy';
import { describeWithPgBouncer, throughPgBouncer } from '../support/pgbouncer';
import { createTestDatabase, type TestDatabase } from '../support/postgres';
import { caught, installProbeTrigger, userInput } from './postgres-test-helpers';

describeWithPgBouncer('PostgresAdapter through PgBouncer in transaction mode', () => {
  let database: TestDatabase;
  const opened: PostgresAdapter[] = [];
  let serial = 0;

  const open = async (options: Partial<PostgresAdapterOptions> = {}) => {
    const adapter = await PostgresAdapter.open({
      connectionString: throughPgBouncer(database.url),
      ...options,
    });
    opened.push(adapter);
    return adapter;
  };
  const user = (firstName: string) => userInput(`pgb${++serial}`, { firstName });

  beforeAll(async () => {
    database = await createTestDatabase('pgbouncer');
    await open({ migrate: true });
    await installProbeTrigger(database.url);
  });

  afterAll(async () => {
    await Promise.all(opened.map((adapter) => adapter.close()));
    await database?.drop();
  });

  it('boots through stock PgBouncer with the default options, migrations included', async () => {
    const adapter = opened[0];
    expect(adapter.settings).toMatchObject({ pooler: 'transaction', namedStatements: false });
    const created = await adapter.create(user('Ada'), usersTable);
    await expect(adapter.findById(created.id, usersTable)).resolves.toEqual(created);
  });

  it("boots on a URL without a pooler hint with pooler: 'transaction'", async () => {
    const adapter = await open({
      connectionString: throughPgBouncer(database.url, { hint: false }),
      pooler: 'transaction',
    });
    await expect(adapter.count(undefined, usersTable)).resolves.toBeGreaterThanOrEqual(0);
  });

  it("pooler: 'none' through PgBouncer fails with a clear, non-retryable ConnectionException", async () => {
    const adapter = await open({
      connectionString: throughPgBouncer(database.url, { hint: false }),
      pooler: 'none',
    });
    const error = await caught(() => adapter.count(undefined, usersTable));
    expect(error).toBeInstanceOf(ConnectionException);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/startup parameter.*pooler/);
  });

  it('keeps the statement timeout in force inside every transaction (read back by the server)', async () => {
    const adapter = await open({ statementTimeoutMs: 1500 });
    const lastName = async (id: string) =>
      (await adapter.findById<IUserEntity>(id, usersTable))?.lastName;
    const created = await Promise.all(
      [0, 1, 2].map(() =>
        adapter.transaction(() => adapter.create<IUserEntity>(user('timeout?'), usersTable)),
      ),
    );
    // createMany is a library transaction of its own.
    created.push(...(await adapter.createMany<IUserEntity>([user('timeout?')], usersTable)));
    const seen = await Promise.all(created.map((u) => lastName(u.id)));
    expect(seen).toEqual(['1500ms', '1500ms', '1500ms', '1500ms']);
  });

  it('times out a long statement outside a transaction with a cancel, as the server would', async () => {
    const adapter = await open({ statementTimeoutMs: 200, pool: { max: 1 } });
    const error = await caught(() => adapter.create(user('sleep:5'), usersTable));
    expect(error).toBeInstanceOf(ConnectionException);
    expect(error.details).toMatchObject({ timeout: true, sqlState: '57014' });
    expect(error.retryable).toBe(true);
    // The one pooled connection is usable at once: the statement was cancelled, not abandoned.
    await expect(adapter.create(user('Ada'), usersTable)).resolves.toBeDefined();
  });

  it('times out a long statement inside a transaction, and the connection is usable afterwards', async () => {
    const adapter = await open({ statementTimeoutMs: 200, pool: { max: 1 } });
    const error = await caught(() =>
      adapter.transaction(() => adapter.create(user('sleep:5'), usersTable)),
    );
    expect(error).toBeInstanceOf(ConnectionException);
    expect(error.details).toMatchObject({ timeout: true, sqlState: '57014' });
    await expect(
      adapter.transaction(() => adapter.create(user('Ada'), usersTable)),
    ).resolves.toBeDefined();
  });

  it('sends every statement unnamed, so no statement of one client can reach another', async () => {
    // Two instances, many connections each, the same statement shapes at once. A named statement
    // would be prepared on one server connection and run on another (26000), or found there by
    // the other client (42P05): the Parse messages on the wire must all be unnamed.
    const proxy = await startPgWireProxy(Number(new URL(throughPgBouncer(database.url)).port));
    const connectionString = proxy.url(throughPgBouncer(database.url));
    const [a, b] = await Promise.all(
      [0, 1].map(() => PostgresAdapter.open({ connectionString, pool: { max: 5 } })),
    );
    try {
      const rounds = Array.from({ length: 40 }, async (_, i) => {
        const adapter = i % 2 === 0 ? a : b;
        const created = await adapter.create(user('Ada'), usersTable);
        expect((await adapter.findById(created.id, usersTable))?.id).toBe(created.id);
        await adapter.update<IUserEntity>(created.id, { lastName: 'Byron' }, usersTable);
      });
      await expect(Promise.all(rounds)).resolves.toHaveLength(40);
      expect(proxy.parsedNames.length).toBeGreaterThanOrEqual(120);
      expect(proxy.parsedNames.filter((name) => name !== '')).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await proxy.close();
    }
  });
});
