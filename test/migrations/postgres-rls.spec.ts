import { randomUUID } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import { MigrationRunner, PostgresMigrationDriver } from '../../src/migrations';
import {
  paymentsTable,
  subscriptionsTable,
  usersTable,
  webhookEventsTable,
} from '../../src/schema';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import { insertSql, sampleRow } from './support/migration-fixtures';

type Role = 'anon' | 'authenticated' | 'service_role';

describeWithPostgres('Row level security on Postgres', () => {
  let database: TestDatabase;
  let pool: Pool;
  const userA = randomUUID();
  const userB = randomUUID();

  /**
   * Runs `work` as PostgREST would for a request: in a transaction, with the request's role and
   * JWT claims set locally, then rolls back so every test starts from the same rows.
   */
  async function as<T>(
    role: Role,
    sub: string | null,
    work: (client: PoolClient) => Promise<T>,
  ): Promise<T> {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL ROLE ${role}`);
      const claims = sub === null ? { role } : { sub, role };
      await client.query("SELECT set_config('request.jwt.claims', $1, true)", [
        JSON.stringify(claims),
      ]);
      return await work(client);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }

  const ids = async (client: PoolClient, table: string) =>
    (await client.query<{ id: string }>(`SELECT id FROM ${table} ORDER BY id`)).rows.map(
      (r) => r.id,
    );

  beforeAll(async () => {
    database = await createTestDatabase('rls');
    pool = new Pool({ connectionString: database.url, max: 3 });
    // pool.end() resolves before its sockets close; the database drop may then kill one.
    pool.on('error', () => undefined);
    await new MigrationRunner(new PostgresMigrationDriver(pool)).up();
    // Seeded as the owner, which RLS does not apply to.
    for (const [id, email] of [
      [userA, 'a@example.com'],
      [userB, 'b@example.com'],
    ]) {
      await pool.query(
        ...insertSql('users', sampleRow(usersTable, 'postgres', { id, email }), 'postgres'),
      );
      for (const table of [paymentsTable, subscriptionsTable]) {
        await pool.query(
          ...insertSql(table.name, sampleRow(table, 'postgres', { user_id: id }), 'postgres'),
        );
      }
    }
    await pool.query(
      ...insertSql('webhook_events', sampleRow(webhookEventsTable, 'postgres'), 'postgres'),
    );
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('a user sees only their own users, payments and subscriptions rows', async () => {
    await as('authenticated', userA, async (client) => {
      expect(await ids(client, 'users')).toEqual([userA]);
      const owners = async (table: string) =>
        (await client.query<{ user_id: string }>(`SELECT user_id FROM ${table}`)).rows.map(
          (r) => r.user_id,
        );
      expect(await owners('payments')).toEqual([userA]);
      expect(await owners('subscriptions')).toEqual([userA]);
    });
  });

  it('a user cannot update another user’s row: zero rows change', async () => {
    await as('authenticated', userA, async (client) => {
      const result = await client.query("UPDATE users SET first_name = 'Mallory' WHERE id = $1", [
        userB,
      ]);
      expect(result.rowCount).toBe(0);
    });
    const { rows } = await pool.query('SELECT first_name FROM users WHERE id = $1', [userB]);
    expect(rows[0].first_name).not.toBe('Mallory');
  });

  it('a user can update their own profile but not their role', async () => {
    await as('authenticated', userA, async (client) => {
      const result = await client.query("UPDATE users SET first_name = 'Alice' WHERE id = $1", [
        userA,
      ]);
      expect(result.rowCount).toBe(1);
      await expect(
        client.query("UPDATE users SET role = 'Admin' WHERE id = $1", [userA]),
      ).rejects.toMatchObject({
        code: '42501',
      });
    });
  });

  it('a user can soft-delete their own row, with RETURNING *', async () => {
    await as('authenticated', userA, async (client) => {
      const result = await client.query(
        'UPDATE users SET deleted_at = now(), updated_at = now() WHERE id = $1 RETURNING *',
        [userA],
      );
      expect(result.rowCount).toBe(1);
      expect(result.rows[0]).toMatchObject({ id: userA, deleted_at: expect.any(Date) });
    });
  });

  it('a user cannot insert or hard-delete users rows', async () => {
    await as('authenticated', userA, async (client) => {
      await expect(client.query('DELETE FROM users WHERE id = $1', [userA])).rejects.toMatchObject({
        code: '42501',
      });
    });
    await as('authenticated', userA, async (client) => {
      const [sql, params] = insertSql('users', sampleRow(usersTable, 'postgres'), 'postgres');
      await expect(client.query(sql, params)).rejects.toMatchObject({ code: '42501' });
    });
  });

  it('authenticated users cannot read webhook events', async () => {
    await as('authenticated', userA, async (client) => {
      await expect(client.query('SELECT * FROM webhook_events')).rejects.toMatchObject({
        code: '42501',
      });
    });
  });

  it.each(['users', 'payments', 'subscriptions', 'webhook_events', 'schema_migrations'])(
    'anon sees nothing in %s',
    async (table) => {
      await as('anon', null, async (client) => {
        await expect(client.query(`SELECT * FROM ${table}`)).rejects.toMatchObject({
          code: '42501',
        });
      });
    },
  );

  it('an authenticated request without a subject sees no rows', async () => {
    await as('authenticated', null, async (client) => {
      expect(await ids(client, 'users')).toEqual([]);
      expect(await ids(client, 'payments')).toEqual([]);
    });
  });

  it('service_role reads every row of every table', async () => {
    await as('service_role', null, async (client) => {
      expect(await ids(client, 'users')).toHaveLength(2);
      expect(await ids(client, 'payments')).toHaveLength(2);
      expect(await ids(client, 'subscriptions')).toHaveLength(2);
      expect(await ids(client, 'webhook_events')).toHaveLength(1);
    });
  });

  it('auth.uid() reads the subject from request.jwt.claims like Supabase’s', async () => {
    await as('authenticated', userB, async (client) => {
      const { rows } = await client.query<{ uid: string }>('SELECT auth.uid() AS uid');
      expect(rows[0].uid).toBe(userB);
    });
  });
});
