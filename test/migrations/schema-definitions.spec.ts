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
    expect(await columnsOf('webhook_events')).toContainEqual([
      'processed',
      'retry_count',
      'created_at',
    ]);
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
