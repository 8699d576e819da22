import { Client } from 'pg';
import type { PostgresAdapter } from '../../src/adapters/postgres';
import type { IUserEntity } from '../../src/entities/user.entity';
import { TransactionException } from '../../src/exceptions';
import { withResilience } from '../../src/resilience';
import { usersTable } from '../../src/schema/users.table';
import { describeWithPostgres } from '../support/postgres';
import { openPostgresFixture, userInput, type PostgresFixture } from './postgres-test-helpers';

describeWithPostgres('named prepared statements heal after the schema changes under them', () => {
  let fixture: PostgresFixture;
  let admin: Client;
  let serial = 0;

  beforeEach(async () => {
    fixture = await openPostgresFixture('pg_prepared');
    admin = new Client({ connectionString: fixture.database.url });
    await admin.connect();
  });

  afterEach(async () => {
    await admin.end();
    await fixture.dispose();
  });

  /** An adapter whose fixed shapes are named statements, on one connection. */
  const namedAdapter = () => fixture.open({ preparedStatements: 'named', pool: { max: 1 } });

  /** A user, read back twice by id so the statement is prepared on the connection. */
  const preparedUser = async (adapter: PostgresAdapter): Promise<IUserEntity> => {
    const user = await adapter.create<IUserEntity>(userInput(`prep${++serial}`), usersTable);
    await adapter.findById(user.id, usersTable);
    await adapter.findById(user.id, usersTable);
    return user;
  };

  /** Another process changes a column's type: every plan selecting it must change result type. */
  const alterColumnType = (type: string) =>
    admin.query(`ALTER TABLE users ALTER COLUMN phone TYPE ${type}`);

  it('0A000 outside a transaction: the statement is prepared again and the call succeeds', async () => {
    const adapter = await namedAdapter();
    const user = await preparedUser(adapter);
    await alterColumnType('varchar(64)');

    await expect(adapter.findById(user.id, usersTable)).resolves.toMatchObject({ id: user.id });
    // Healed for good, not once: the next calls and the insert shape work too.
    await expect(adapter.findById(user.id, usersTable)).resolves.toMatchObject({ id: user.id });
    await alterColumnType('text');
    await expect(adapter.create(userInput(`prep${++serial}`), usersTable)).resolves.toBeDefined();
    await expect(adapter.findById(user.id, usersTable)).resolves.toMatchObject({ id: user.id });
  });

  it('26000 outside a transaction: a statement dropped from the session is prepared again', async () => {
    const adapter = await namedAdapter();
    const user = await preparedUser(adapter);
    // The pool's one connection is the adapter's: this drops its statements behind its back.
    await adapter.pool.query('DEALLOCATE ALL');

    await expect(adapter.findById(user.id, usersTable)).resolves.toMatchObject({ id: user.id });
  });

  it('inside a transaction: a retryable TransactionException that says why, and a re-run works', async () => {
    const adapter = await namedAdapter();
    const user = await preparedUser(adapter);
    await alterColumnType('varchar(64)');

    const error = await adapter
      .transaction(() => adapter.findById(user.id, usersTable))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionException);
    expect((error as TransactionException).retryable).toBe(true);
    expect((error as Error).message).toMatch(/prepared statement/);
    await expect(
      adapter.transaction(() => adapter.findById(user.id, usersTable)),
    ).resolves.toMatchObject({ id: user.id });
  });

  it('inside a transaction under the resilience layer: the whole transaction runs again', async () => {
    const adapter = await namedAdapter();
    const resilient = withResilience(adapter, { retry: { transactionDelayMaxMs: 10 } });
    const user = await preparedUser(adapter);
    await alterColumnType('varchar(64)');

    let runs = 0;
    const found = await resilient.transaction(async () => {
      runs += 1;
      return resilient.findById(user.id, usersTable);
    });
    expect(found).toMatchObject({ id: user.id });
    expect(runs).toBe(2);
    expect(resilient.stats().retries.transaction).toBe(1);
  });
});
