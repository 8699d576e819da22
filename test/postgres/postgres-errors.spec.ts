import { mapPostgresError } from '../../src/adapters/postgres';
import { PaymentStatus, type IPaymentEntity } from '../../src/entities/payment.entity';
import type { IUserEntity } from '../../src/entities/user.entity';
import {
  ConnectionException,
  type DatabaseException,
  ForeignKeyException,
  PermissionException,
  QueryException,
  UniqueConstraintException,
  ValidationException,
} from '../../src/exceptions';
import { paymentsTable } from '../../src/schema/payments.table';
import type { CreateInput } from '../../src/schema/table-definition';
import { usersTable } from '../../src/schema/users.table';
import { describeWithPostgres } from '../support/postgres';
import {
  caught,
  openPostgresFixture,
  userInput,
  type PostgresFixture,
} from './postgres-test-helpers';

/** A raw statement's error, mapped as the adapter maps it. */
async function rawError(fixture: PostgresFixture, text: string): Promise<DatabaseException> {
  return caught(() =>
    fixture.adapter.pool.query(text).catch((error: unknown) => {
      throw mapPostgresError(error, { table: usersTable });
    }),
  );
}

function paymentInput(userId: string, n: string): CreateInput<IPaymentEntity> {
  return {
    stripePaymentIntentId: `pi_${n}`,
    userId,
    amount: 1000,
    currency: 'usd',
    status: PaymentStatus.Succeeded,
    metadata: {},
  } as CreateInput<IPaymentEntity>;
}

describeWithPostgres('PostgreSQL errors as library exceptions', () => {
  let fixture: PostgresFixture;

  beforeAll(async () => {
    fixture = await openPostgresFixture('pg_errors');
  });
  afterAll(() => fixture?.dispose());

  it('23505: a taken email is a UniqueConstraintException on the email property', async () => {
    await fixture.adapter.create(userInput('dup'), usersTable);
    const error = await caught(() => fixture.adapter.create(userInput('dup'), usersTable));
    expect(error).toBeInstanceOf(UniqueConstraintException);
    expect((error as UniqueConstraintException).field).toBe('email');
    expect(error.cause).toMatchObject({ code: '23505' });
  });

  it('23505 on update and on restore names the property too', async () => {
    const first = await fixture.adapter.create(
      userInput('cus1', { stripeCustomerId: 'cus_1' }),
      usersTable,
    );
    const second = await fixture.adapter.create(userInput('cus2'), usersTable);
    const onUpdate = await caught(() =>
      fixture.adapter.update<IUserEntity>(second.id, { stripeCustomerId: 'cus_1' }, usersTable),
    );
    expect((onUpdate as UniqueConstraintException).field).toBe('stripeCustomerId');

    await fixture.adapter.softDelete(first.id, usersTable);
    await fixture.adapter.update<IUserEntity>(second.id, { stripeCustomerId: 'cus_1' }, usersTable);
    const onRestore = await caught(() => fixture.adapter.restore(first.id, usersTable));
    expect(onRestore).toBeInstanceOf(UniqueConstraintException);
    expect((onRestore as UniqueConstraintException).field).toBe('stripeCustomerId');
  });

  it('23503: a payment for a missing user, or deleting a user with payments, is a ForeignKeyException', async () => {
    const missing = await caught(() =>
      fixture.adapter.create(
        paymentInput('00000000-0000-4000-8000-000000000000', 'orphan'),
        paymentsTable,
      ),
    );
    expect(missing).toBeInstanceOf(ForeignKeyException);
    const user = await fixture.adapter.create(userInput('payer'), usersTable);
    await fixture.adapter.create(paymentInput(user.id, 'paid'), paymentsTable);
    expect(await caught(() => fixture.adapter.hardDelete(user.id, usersTable))).toBeInstanceOf(
      ForeignKeyException,
    );
  });

  it('23514: a value outside a CHECK constraint is a ValidationException', async () => {
    const error = await caught(() =>
      fixture.adapter.create(userInput('chk', { role: 'Overlord' as never }), usersTable),
    );
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.details).toMatchObject({ sqlState: '23514' });
  });

  it('23502, 22P02 and 22001 from the server are ValidationExceptions', async () => {
    const notNull = await rawError(fixture, 'INSERT INTO users (id) VALUES (gen_random_uuid())');
    expect(notNull).toBeInstanceOf(ValidationException);
    expect((notNull as ValidationException).field).toBe('email');
    expect(await rawError(fixture, "SELECT 'not-a-uuid'::uuid")).toBeInstanceOf(
      ValidationException,
    );
    // Only an assignment checks the length (a cast truncates silently).
    const tooLong = await rawError(
      fixture,
      "DO $$ DECLARE v varchar(3); BEGIN v := 'too long'; END $$",
    );
    expect(tooLong).toBeInstanceOf(ValidationException);
    expect(tooLong.cause).toMatchObject({ code: '22001' });
  });

  it('a malformed id never reaches the server: ValidationException naming it', async () => {
    const error = await caught(() => fixture.adapter.findById('not-a-uuid', usersTable));
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).field).toBe('id');
  });

  it('57014: a statement over the timeout is a retryable ConnectionException', async () => {
    const user = await fixture.adapter.create(userInput('slow'), usersTable);
    const impatient = await fixture.open({ statementTimeoutMs: 200 });
    const locker = await fixture.adapter.pool.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [user.id]);
      const error = await caught(() =>
        impatient.update<IUserEntity>(user.id, { firstName: 'Blocked' }, usersTable),
      );
      expect(error).toBeInstanceOf(ConnectionException);
      expect(error.retryable).toBe(true);
      expect(error.cause).toMatchObject({ code: '57014' });
    } finally {
      await locker.query('ROLLBACK');
      locker.release();
    }
  });

  it('57P01: a connection killed inside a transaction is a ConnectionException, and the client is discarded', async () => {
    const victim = await fixture.open({ applicationName: 'ndl-victim', pool: { max: 2 } });
    const handle = await victim.beginTransaction();
    await victim.create(userInput('killed'), usersTable);
    await fixture.adapter.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ndl-victim'",
    );
    const error = await caught(() => victim.create(userInput('after-kill'), usersTable));
    expect(error).toBeInstanceOf(ConnectionException);
    expect(error.retryable).toBe(true);
    await expect(victim.rollbackTransaction(handle)).rejects.toBeInstanceOf(ConnectionException);
    // The broken client was destroyed, not pooled: the next call gets a fresh connection.
    await expect(victim.ping()).resolves.toBeUndefined();
    expect(
      await fixture.adapter.findFirst({ filters: { email: 'userkilled@example.com' } }, usersTable),
    ).toBeNull();
  });

  it('an idle pooled connection killed by the server does not crash the process', async () => {
    const idle = await fixture.open({ applicationName: 'ndl-idle' });
    await idle.ping();
    await fixture.adapter.pool.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ndl-idle'",
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(idle.ping()).resolves.toBeUndefined();
  });

  it('42501: a role without privileges gets a PermissionException', async () => {
    const url = new URL(fixture.database.url);
    url.searchParams.set('options', '-c role=anon');
    const anon = await fixture.open({ connectionString: url.toString() });
    const error = await caught(() => anon.count(undefined, usersTable));
    expect(error).toBeInstanceOf(PermissionException);
    expect(error.cause).toMatchObject({ code: '42501' });
  });

  it('anything else is a QueryException with the driver error as cause', async () => {
    const error = await rawError(fixture, 'SELECT * FROM no_such_table');
    expect(error).toBeInstanceOf(QueryException);
    expect(error.cause).toMatchObject({ code: '42P01' });
  });
});
