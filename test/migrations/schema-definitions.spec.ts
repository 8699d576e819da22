import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Pool } from 'pg';
import { PaymentStatus } from '../../src/entities/payment.entity';
import { SubscriptionStatus } from '../../src/entities/subscription.entity';
import { UserRole, UserStatus } from '../../src/entities/user.entity';
import type { ColumnType, TableDefinition } from '../../src/schema';
import { paymentsTable, subscriptionsTable, usersTable } from '../../src/schema';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import { sampleRow, TABLES, tempDir, type TempDir } from './support/migration-fixtures';
import { postgresProbe, sqliteProbe, type SchemaProbe } from './support/schema-probe';

/** How each column type must be stored. Postgres text columns must also use the "C" collation. */
const SQLITE_TYPES: Record<ColumnType, string> = {
  uuid: 'TEXT',
  string: 'TEXT',
  text: 'TEXT',
  integer: 'INTEGER',
  boolean: 'INTEGER',
  timestamp: 'TEXT',
  json: 'TEXT',
};
const POSTGRES_TYPES: Record<ColumnType, string> = {
  uuid: 'uuid',
  string: 'text',
  text: 'text',
  integer: 'integer',
  boolean: 'boolean',
  timestamp: 'timestamp with time zone',
  json: 'jsonb',
};

/** Enum columns and the TypeScript enum whose values their CHECK must accept. */
const ENUM_COLUMNS: [TableDefinition<any>, string, Record<string, string>][] = [
  [usersTable, 'role', UserRole],
  [usersTable, 'status', UserStatus],
  [paymentsTable, 'status', PaymentStatus],
  [subscriptionsTable, 'status', SubscriptionStatus],
];

/** Reverts every applied migration from `version` on (later ones first), as a later one may exist. */
async function revertFrom(probe: SchemaProbe, version: number): Promise<void> {
  const runner = probe.runner();
  const later = (await runner.status()).filter(
    (s) => s.version >= version && s.state !== 'pending',
  );
  await runner.down(later.length);
}

/** Timestamp columns that PostgreSQL migrations after 0009 add, as `table.column`. */
const ADDED_AFTER_0009 = [
  'payments.last_event_at',
  'subscriptions.last_event_at',
  'webhook_events.locked_until',
];

/** The timestamp columns of every table, as `table.column`. */
const TIMESTAMP_COLUMNS = TABLES.flatMap((t) =>
  t.columns.filter((c) => c.type === 'timestamp').map((c) => ({ table: t.name, column: c.column })),
);

/** The same checks on both dialects: the migrated schema is what the table definitions say. */
function schemaMatchesDefinitions(probe: () => SchemaProbe): void {
  async function newUser(): Promise<string> {
    const id = randomUUID();
    await probe().insert('users', sampleRow(usersTable, probe().dialect, { id }));
    return id;
  }

  it('creates the four tables and the history table', async () => {
    expect(await probe().tables()).toEqual(
      expect.arrayContaining([
        'payments',
        'schema_migrations',
        'subscriptions',
        'users',
        'webhook_events',
      ]),
    );
  });

  describe.each(TABLES.map((t) => [t.name, t] as const))('%s', (_name, table) => {
    it('has exactly the columns of its definition, with the same nullability and a matching type', async () => {
      const columns = await probe().columns(table.name);
      const types = probe().dialect === 'sqlite' ? SQLITE_TYPES : POSTGRES_TYPES;
      const expected = table.columns.map((c) => ({
        name: c.column,
        type: types[c.type],
        nullable: c.nullable,
        ...(probe().dialect === 'postgres'
          ? { collation: c.type === 'string' || c.type === 'text' ? 'C' : null }
          : {}),
      }));
      const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
      expect([...columns].sort(byName)).toEqual([...expected].sort(byName));
    });

    it('has a unique index on live rows (WHERE deleted_at IS NULL) for each unique column', async () => {
      const indexes = await probe().indexes(table.name);
      expect(table.unique.length).toBeGreaterThan(0);
      for (const column of table.unique) {
        expect(indexes).toContainEqual(
          expect.objectContaining({
            unique: true,
            columns: [column.column],
            predicate: 'deleted_at is null',
          }),
        );
      }
    });

    it('has a (created_at, id) index for the default order and cursor pages', async () => {
      const indexes = await probe().indexes(table.name);
      expect(indexes.map((i) => i.columns)).toContainEqual(['created_at', 'id']);
    });

    it('accepts a row written the way the library writes it', async () => {
      const overrides = table.columns.some((c) => c.column === 'user_id')
        ? { user_id: await newUser() }
        : {};
      await expect(
        probe().insert(table.name, sampleRow(table, probe().dialect, overrides)),
      ).resolves.toBeUndefined();
    });
  });

  it('has the composite indexes the common filters need', async () => {
    const columnsOf = async (table: string) => (await probe().indexes(table)).map((i) => i.columns);
    expect(await columnsOf('users')).toContainEqual([
      'status',
      'role',
      'deleted_at',
      'created_at',
      'id',
    ]);
    expect(await columnsOf('payments')).toContainEqual(['user_id', 'created_at', 'id']);
    expect(await columnsOf('subscriptions')).toContainEqual(['user_id', 'created_at', 'id']);
    // The webhook inbox's claim and findRetryable: live pending events, oldest first.
    expect(await probe().indexes('webhook_events')).toContainEqual(
      expect.objectContaining({
        columns: ['processed', 'created_at', 'id'],
        predicate: 'deleted_at is null',
      }),
    );
  });

  it.each(['payments', 'subscriptions'])(
    '%s.user_id references users(id) ON DELETE RESTRICT',
    async (table) => {
      expect(await probe().foreignKeys(table)).toEqual([
        { column: 'user_id', references: 'users.id', onDelete: 'RESTRICT' },
      ]);
      await expect(
        probe().insert(
          table,
          sampleRow(table === 'payments' ? paymentsTable : subscriptionsTable, probe().dialect, {
            user_id: randomUUID(),
          }),
        ),
      ).rejects.toThrow(/foreign key/i);
    },
  );

  it.each(
    ENUM_COLUMNS.map(
      ([table, column, values]) => [`${table.name}.${column}`, table, column, values] as const,
    ),
  )(
    '%s accepts every value of its TypeScript enum and rejects any other',
    async (_label, table, column, values) => {
      const withUser = async (value: string) => {
        const userId = table.name === 'users' ? {} : { user_id: await newUser() };
        return sampleRow(table, probe().dialect, { ...userId, [column]: value });
      };
      for (const value of Object.values(values)) {
        await probe().insert(table.name, await withUser(value));
      }
      await expect(probe().insert(table.name, await withUser('bogus'))).rejects.toThrow(
        /check constraint/i,
      );
    },
  );

  it('lets a soft-deleted row’s unique values be used again, but not a live row’s', async () => {
    const email = `${randomUUID()}@example.com`;
    const first = sampleRow(usersTable, probe().dialect, { email });
    await probe().insert('users', first);
    await expect(
      probe().insert('users', sampleRow(usersTable, probe().dialect, { email })),
    ).rejects.toThrow(/unique/i);
    await probe().execute('UPDATE users SET deleted_at = ? WHERE id = ?', [
      new Date().toISOString(),
      first.id,
    ]);
    await expect(
      probe().insert('users', sampleRow(usersTable, probe().dialect, { email })),
    ).resolves.toBeUndefined();
  });

  it('runs all the way down, leaving only the history table, and all the way up again', async () => {
    const runner = probe().runner();
    const count = (await runner.status()).length;
    await expect(runner.down(count)).resolves.toHaveLength(count);
    expect((await probe().tables()).filter((t) => t !== 'schema_migrations')).toEqual([]);
    await expect(runner.up()).resolves.toHaveLength(count);
    expect((await runner.status()).every((s) => s.state === 'applied')).toBe(true);
    expect(await probe().tables()).toEqual(
      expect.arrayContaining(['payments', 'subscriptions', 'users', 'webhook_events']),
    );
  });
}

describe('SQLite migrations match the table definitions', () => {
  let dir: TempDir;
  let db: Database.Database;

  beforeAll(async () => {
    dir = tempDir('schema');
    db = new Database(join(dir.path, 'schema.sqlite'));
    db.pragma('foreign_keys = ON');
    await sqliteProbe(db).runner().up();
  });

  afterAll(() => {
    db.close();
    dir.remove();
  });

  schemaMatchesDefinitions(() => sqliteProbe(db));

  describe('timestamps written by other programs (0007)', () => {
    const probe = () => sqliteProbe(db);
    const newSqliteUser = async (): Promise<string> => {
      const id = randomUUID();
      await probe().insert('users', sampleRow(usersTable, 'sqlite', { id }));
      return id;
    };
    const readUser = (id: string) =>
      db.prepare('SELECT created_at, updated_at, last_login FROM users WHERE id = ?').get(id) as {
        created_at: string;
        updated_at: string;
        last_login: string | null;
      };

    it('rewrites other text forms of an instant to the library form on insert and update', async () => {
      const row = sampleRow(usersTable, 'sqlite', {
        created_at: '2024-05-01 12:00:00',
        updated_at: '2024-05-01T14:00:00.123456+02:00',
        last_login: '2024-05-01T12:00:00.5Z',
      });
      await probe().insert('users', row);
      expect(readUser(row.id as string)).toEqual({
        created_at: '2024-05-01T12:00:00.000Z',
        updated_at: '2024-05-01T12:00:00.123Z',
        last_login: '2024-05-01T12:00:00.500Z',
      });
      await probe().execute('UPDATE users SET last_login = CURRENT_TIMESTAMP WHERE id = ?', [
        row.id,
      ]);
      expect(readUser(row.id as string).last_login).toMatch(
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/,
      );
    });

    it.each(TIMESTAMP_COLUMNS.map(({ table, column }) => [`${table}.${column}`, table, column]))(
      '%s refuses text that names no instant of years 1 to 9999, naming the column',
      async (_label, table, column) => {
        const definition = TABLES.find((t) => t.name === table)!;
        for (const value of ['yesterday', 'infinity', '0000-12-31T00:00:00.000Z']) {
          const owner = definition.columns.some((c) => c.column === 'user_id')
            ? { user_id: await newSqliteUser() }
            : {};
          await expect(
            probe().insert(table, sampleRow(definition, 'sqlite', { ...owner, [column]: value })),
          ).rejects.toThrow(`${table}.${column} must hold an ISO-8601 timestamp`);
        }
      },
    );

    it('keeps the search index in step with rows whose timestamps it rewrote', async () => {
      const email = `outside-${randomUUID()}@example.com`;
      await probe().insert(
        'users',
        sampleRow(usersTable, 'sqlite', { email, created_at: '2024-05-01 12:00:00' }),
      );
      const found = db
        .prepare(
          'SELECT u.email FROM users_search s JOIN users u ON u.rowid = s.rowid WHERE users_search MATCH ?',
        )
        .pluck()
        .all(`"${email}"`);
      expect(found).toEqual([email]);
    });

    it('rewrites last_event_at (0008) to the library form too', async () => {
      const row = sampleRow(paymentsTable, 'sqlite', {
        user_id: await newSqliteUser(),
        last_event_at: '2024-05-01 12:00:00',
      });
      await probe().insert('payments', row);
      const stored = () =>
        db.prepare('SELECT last_event_at FROM payments WHERE id = ?').pluck().get(row.id);
      expect(stored()).toBe('2024-05-01T12:00:00.000Z');
      await probe().execute(
        "UPDATE payments SET last_event_at = '2024-05-01T14:00:01+02:00' WHERE id = ?",
        [row.id],
      );
      expect(stored()).toBe('2024-05-01T12:00:01.000Z');
    });

    it('goes down to plain text and up again, normalizing rows stored meanwhile', async () => {
      await revertFrom(probe(), 7);
      const row = sampleRow(usersTable, 'sqlite', { created_at: '2024-05-01 12:00:00' });
      await probe().insert('users', row);
      expect(readUser(row.id as string).created_at).toBe('2024-05-01 12:00:00');
      await probe().runner().up();
      expect(readUser(row.id as string).created_at).toBe('2024-05-01T12:00:00.000Z');
    });
  });

  it('stores booleans as 0 or 1 and JSON as valid JSON text only', async () => {
    const probe = sqliteProbe(db);
    await expect(
      probe.insert('users', sampleRow(usersTable, 'sqlite', { email_verified: 2 })),
    ).rejects.toThrow(/check constraint/i);
    await expect(
      probe.insert('webhook_events', sampleRow(TABLES[3], 'sqlite', { payload: '{not json' })),
    ).rejects.toThrow(/check constraint/i);
  });
});

describeWithPostgres('Postgres migrations match the table definitions', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase('schema');
    pool = new Pool({ connectionString: database.url, max: 2 });
    // pool.end() resolves before its sockets close; the database drop may then kill one.
    pool.on('error', () => undefined);
    await postgresProbe(pool).runner().up();
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  schemaMatchesDefinitions(() => postgresProbe(pool));

  describe('timestamps at millisecond precision (0009)', () => {
    const probe = () => postgresProbe(pool);
    const precisions = async () =>
      (
        await pool.query<{ name: string; precision: number }>(
          `SELECT table_name || '.' || column_name AS name, datetime_precision AS precision
             FROM information_schema.columns
            WHERE table_schema = current_schema() AND data_type = 'timestamp with time zone'
              AND table_name <> 'schema_migrations'
            ORDER BY 1`,
        )
      ).rows;
    const checks = async () =>
      (
        await pool.query<{ conname: string }>(
          `SELECT conname FROM pg_constraint
            WHERE contype = 'c' AND conname LIKE '%\\_check' AND pg_get_constraintdef(oid) LIKE '%0001-01-01%'
            ORDER BY 1`,
        )
      ).rows.map((r) => r.conname);
    const survivors = async () => ({
      policies: (
        await pool.query(
          'SELECT tablename, policyname, qual, with_check FROM pg_policies ORDER BY 1, 2',
        )
      ).rows,
      grants: (
        await pool.query(
          `SELECT table_name, column_name, grantee, privilege_type FROM information_schema.column_privileges
            WHERE grantee IN ('anon', 'authenticated') ORDER BY 1, 2, 3, 4`,
        )
      ).rows,
      indexes: (
        await pool.query(
          `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1`,
        )
      ).rows,
      defaults: (
        await pool.query(
          `SELECT table_name, column_name, column_default FROM information_schema.columns
            WHERE table_schema = current_schema() AND column_default IS NOT NULL ORDER BY 1, 2`,
        )
      ).rows,
    });
    const expectedNames = TIMESTAMP_COLUMNS.map((c) => `${c.table}.${c.column}`).sort();

    it('declares every timestamp column timestamptz(3), with a range CHECK of years 1 to 9999', async () => {
      expect(await precisions()).toEqual(expectedNames.map((name) => ({ name, precision: 3 })));
      expect(await checks()).toEqual(
        TIMESTAMP_COLUMNS.map((c) => `${c.table}_${c.column}_check`).sort(),
      );
    });

    it('rounds what another writer stores to the millisecond, and refuses infinity', async () => {
      const row = sampleRow(usersTable, 'postgres');
      await probe().insert('users', row);
      await probe().execute(
        "UPDATE users SET created_at = '2024-05-01 12:00:00.123456+00', last_login = '2024-05-01 12:00:00.9996+00' WHERE id = ?",
        [row.id],
      );
      const { rows } = await pool.query(
        `SELECT to_char(created_at AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS created,
                to_char(last_login AT TIME ZONE 'UTC', 'HH24:MI:SS.US') AS login
           FROM users WHERE id = $1`,
        [row.id],
      );
      expect(rows[0]).toEqual({ created: '12:00:00.123000', login: '12:00:01.000000' });
      await expect(
        probe().execute("UPDATE users SET last_login = 'infinity' WHERE id = ?", [row.id]),
      ).rejects.toThrow(/users_last_login_check/);
    });

    it('keeps policies, column grants, indexes and defaults, and goes down to plain timestamptz', async () => {
      const before = await survivors();
      expect(before.policies).toHaveLength(4);
      await revertFrom(probe(), 9);
      // Columns added by later migrations are reverted with them.
      const before0009 = expectedNames.filter((name) => !ADDED_AFTER_0009.includes(name));
      expect(await precisions()).toEqual(before0009.map((name) => ({ name, precision: 6 })));
      expect(await checks()).toEqual([]);
      await probe().runner().up();
      expect(await precisions()).toEqual(expectedNames.map((name) => ({ name, precision: 3 })));
      expect(await survivors()).toEqual(before);
    });
  });

  it('has a trigram GIN index on every searchable column', async () => {
    for (const table of TABLES) {
      const indexes = await postgresProbe(pool).indexes(table.name);
      for (const column of table.searchable) {
        expect(indexes).toContainEqual(
          expect.objectContaining({ method: 'gin', columns: [column.column] }),
        );
      }
    }
  });

  it('enables row level security on the four tables and the history table', async () => {
    const { rows } = await pool.query<{ relname: string }>(
      `SELECT relname FROM pg_class
        WHERE relnamespace = current_schema()::regnamespace AND relkind = 'r' AND relrowsecurity
        ORDER BY relname`,
    );
    expect(rows.map((r) => r.relname)).toEqual([
      'payments',
      'schema_migrations',
      'subscriptions',
      'users',
      'webhook_events',
    ]);
  });
});
