import { PostgresAdapter } from '../../src/adapters/postgres';
import { type QueryEvent, REDACTED } from '../../src/adapters/query-observer';
import { UserEntity, type IUserEntity } from '../../src/entities/user.entity';
import { ConnectionException } from '../../src/exceptions';
import { allowQueriesOn } from '../../src/schema/table-definition';
import { usersTable } from '../../src/schema/users.table';
import { describeWithPostgres } from '../support/postgres';
import { openPostgresFixture, userInput, type PostgresFixture } from './postgres-test-helpers';

describeWithPostgres('PostgresAdapter', () => {
  let fixture: PostgresFixture;

  beforeAll(async () => {
    fixture = await openPostgresFixture('pg_adapter');
  });
  afterAll(() => fixture?.dispose());

  it('reads back what it writes as entities with ISO timestamps', async () => {
    const { adapter } = fixture;
    const created = await adapter.create(userInput('rt', { passwordHash: 'h' }), usersTable);
    const found = await adapter.findById<IUserEntity>(created.id, usersTable);
    expect(found).toBeInstanceOf(UserEntity);
    expect(found).toEqual(created);
    expect(found?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('reports database size, pool usage and table row counts for health and metrics', async () => {
    const { adapter } = fixture;
    await adapter.create(userInput('stats'), usersTable);
    await adapter.pool.query('ANALYZE users');
    expect((await adapter.storageStats()).databaseBytes).toBeGreaterThan(1_000_000);
    expect(adapter.poolStats()).toMatchObject({ max: 10, waiting: 0 });
    expect(adapter.poolStats().total).toBeGreaterThanOrEqual(1);
    const counts = await adapter.tableRowCounts();
    expect(counts.users).toBeGreaterThanOrEqual(1);
    expect(Object.keys(counts)).toEqual(
      expect.arrayContaining(['payments', 'subscriptions', 'webhook_events']),
    );
  });

  it('searches by substring with %, _ and \\ taken literally', async () => {
    const { adapter } = fixture;
    await adapter.create(userInput('s1', { lastName: '100%_sure\\' }), usersTable);
    await adapter.create(userInput('s2', { lastName: '100 and sure' }), usersTable);
    const found = await adapter.findMany<IUserEntity>(
      { filters: { search: '0%_SURE\\' } },
      usersTable,
    );
    expect(found.map((u) => u.email)).toEqual(['users1@example.com']);
  });

  it.each(['named', 'unnamed'] as const)('runs with %s prepared statements', async (mode) => {
    // One connection, so the pool's own queries see the session the adapter's statements used.
    const adapter = await fixture.open({ preparedStatements: mode, pool: { max: 1 } });
    const user = await adapter.create(userInput(`ps_${mode}`), usersTable);
    for (let i = 0; i < 3; i++) {
      expect((await adapter.findById<IUserEntity>(user.id, usersTable))?.email).toBe(user.email);
      // Plan-built reads stay unnamed: a generic plan would ignore their values.
      await adapter.findMany({ filters: { search: 'ps_' } }, usersTable);
      await adapter.count({ status: 'Active' }, usersTable);
    }
    const prepared = await adapter.pool.query<{ name: string }>(
      "SELECT name FROM pg_prepared_statements WHERE name LIKE 'ndl\\_%'",
    );
    if (mode === 'named') {
      // The insert and the findById, each prepared once however often it ran.
      expect(prepared.rows).toHaveLength(2);
    } else {
      expect(prepared.rows).toHaveLength(0);
    }
  });

  it('applies the statement timeout and application name to every pooled connection', async () => {
    const defaults = await fixture.open();
    expect((await defaults.pool.query('SHOW statement_timeout')).rows[0].statement_timeout).toBe(
      '30s',
    );
    const tuned = await fixture.open({ statementTimeoutMs: 1500, applicationName: 'ndl-tuned' });
    const shown = await Promise.all(
      [0, 1, 2].map(() =>
        tuned.pool.query('SELECT current_setting($1) AS t, current_setting($2) AS a', [
          'statement_timeout',
          'application_name',
        ]),
      ),
    );
    for (const result of shown) expect(result.rows[0]).toEqual({ t: '1500ms', a: 'ndl-tuned' });
  });

  it('reports every operation to the observer, with sensitive values redacted', async () => {
    const events: QueryEvent[] = [];
    const adapter = await fixture.open({
      observer: { wantsStatements: true, onQuery: (event) => events.push(event) },
    });
    const user = await adapter.create(
      userInput('obs', { passwordHash: 'secret-hash' }),
      usersTable,
    );
    // Filtering on a sensitive column needs the opt-in; its value is still redacted.
    const optedIn = allowQueriesOn(usersTable, ['passwordHash']);
    await adapter.findMany({ filters: { passwordHash: 'secret-hash' } }, optedIn);
    await adapter.update<IUserEntity>(user.id, { passwordHash: 'new-secret' }, usersTable);
    await adapter.ping();
    await expect(adapter.create(userInput('obs'), usersTable)).rejects.toThrow();

    expect(events.map((e) => [e.operation, e.table])).toEqual([
      ['create', 'users'],
      ['findMany', 'users'],
      ['update', 'users'],
      ['ping', ''],
      ['create', 'users'],
    ]);
    const serialized = JSON.stringify(events.map((e) => e.params));
    expect(serialized).not.toContain('secret');
    expect(events[0].params).toContain(REDACTED);
    expect(events[0].params).toContain('userobs@example.com');
    expect(events[1].statement).toMatch(/^SELECT .* FROM "users" WHERE/);
    expect(events[1].params).toContain(REDACTED);
    expect(events[4].error?.code).toBe('UNIQUE_VIOLATION');
    for (const event of events) expect(event.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('leaves statements out of events unless the observer asks for them', async () => {
    const events: QueryEvent[] = [];
    const adapter = await fixture.open({ observer: { onQuery: (event) => events.push(event) } });
    await adapter.count(undefined, usersTable);
    expect(events).toHaveLength(1);
    expect(events[0].statement).toBeUndefined();
    expect(events[0].params).toBeUndefined();
  });

  it('pings, and closes safely twice', async () => {
    const adapter = await fixture.open();
    await expect(adapter.ping()).resolves.toBeUndefined();
    await adapter.close();
    await adapter.close();
    await expect(adapter.ping()).rejects.toBeInstanceOf(ConnectionException);
  });

  it('fails a ping with a retryable ConnectionException when the server is unreachable', async () => {
    const adapter = await PostgresAdapter.open({
      connectionString: 'postgresql://postgres@127.0.0.1:1/postgres',
      pool: { connectionTimeoutMillis: 2000 },
    });
    try {
      const error = await adapter.ping().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConnectionException);
      expect((error as ConnectionException).retryable).toBe(true);
      expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    } finally {
      await adapter.close();
    }
  });
});
