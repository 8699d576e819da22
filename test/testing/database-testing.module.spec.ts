import { Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PostgresAdapter } from '../../src/adapters/postgres';
import type { DatabaseConnection } from '../../src/config/database-connection.interface';
import { DatabaseConfigurationException } from '../../src/config/database-configuration.exception';
import { DATABASE_ADAPTER, DATABASE_CONNECTION } from '../../src/database.constants';
import { DatabaseModule } from '../../src/database.module';
import {
  getDatabaseAdapterToken,
  getDatabaseConnectionToken,
  getRepositoryToken,
} from '../../src/database.tokens';
import { UserRepository } from '../../src/repositories/user.repository';
import { UserRole, UserStatus } from '../../src/entities/user.entity';
import { DatabaseTestingModule, rollbackEachTest } from '../../src/testing';
import {
  InvoicesRepository,
  TEST_KIT_PROVIDERS,
  BOOT_TIMEOUT_MS,
  bootInvoicesApp,
  writeAppMigrations,
} from './support/invoices-app';

async function databaseExists(name: string): Promise<boolean> {
  const client = new Client({ connectionString: process.env.TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return rows.length > 0;
  } finally {
    await client.end();
  }
}

/** A user to create: the same one on every connection. */
const ADA = {
  email: 'ada@example.com',
  firstName: 'Ada',
  lastName: 'Lovelace',
  role: UserRole.User,
  status: UserStatus.Active,
};

describe.each(TEST_KIT_PROVIDERS)('DatabaseTestingModule', (kit) => {
  kit.describe(kit.provider, () => {
    let moduleRef: TestingModule | undefined;

    afterEach(async () => {
      await moduleRef?.close();
      moduleRef = undefined;
    });

    it(
      "boots with the library's tables and the app's, its repositories injectable",
      async () => {
        moduleRef = await bootInvoicesApp({ ...kit.options(), provider: kit.provider });
        const connection = moduleRef.get<DatabaseConnection>(DATABASE_CONNECTION);
        expect(connection.provider).toBe(kit.provider);
        const invoices = moduleRef.get(InvoicesRepository);
        const invoice = await invoices.create({
          number: 'INV-1',
          amountCents: 1200,
          status: 'sent',
          note: null,
        });
        expect(await invoices.findById(invoice.id)).toEqual(invoice);
        const users = moduleRef.get(UserRepository);
        const user = await users.create({
          email: 'boot@example.com',
          firstName: 'Boot',
          lastName: 'Test',
          role: UserRole.User,
          status: UserStatus.Active,
        });
        expect(await users.count()).toBe(1);
        expect(user.email).toBe('boot@example.com');
      },
      BOOT_TIMEOUT_MS,
    );
  });
});

describe('DatabaseTestingModule on SQLite', () => {
  let moduleRef: TestingModule | undefined;
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  it('ignores the environment: DATABASE_PROVIDER and DATABASE_URL do not reach the tests', async () => {
    const saved = { ...process.env };
    process.env.DATABASE_PROVIDER = 'postgres';
    process.env.DATABASE_URL = 'postgresql://nobody@127.0.0.1:1/production';
    process.env.SQLITE_PATH = '/nonexistent/production.sqlite';
    try {
      moduleRef = await Test.createTestingModule({
        imports: [DatabaseTestingModule.forRoot()],
      }).compile();
    } finally {
      process.env = saved;
    }
    const connection = moduleRef.get<DatabaseConnection>(DATABASE_CONNECTION);
    expect(connection.provider).toBe('sqlite');
    expect(await moduleRef.get(UserRepository).count()).toBe(0);
  });

  it('gives every boot a database of its own', async () => {
    const first = await Test.createTestingModule({
      imports: [DatabaseTestingModule.forRoot()],
    }).compile();
    moduleRef = await Test.createTestingModule({
      imports: [DatabaseTestingModule.forRoot()],
    }).compile();
    try {
      await first.get(UserRepository).create({
        email: 'first@example.com',
        firstName: 'First',
        lastName: 'Boot',
        role: UserRole.User,
        status: UserStatus.Active,
      });
      expect(await moduleRef.get(UserRepository).count()).toBe(0);
    } finally {
      await first.close();
    }
  });

  it("reads the app's migration folders from package.json when none are given", async () => {
    const app = writeAppMigrations();
    const project = mkdtempSync(join(tmpdir(), 'ndl-testkit-project-'));
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ nestDataLayer: { migrations: [app.path] } }),
    );
    const cwd = process.cwd();
    process.chdir(project);
    try {
      moduleRef = await Test.createTestingModule({
        imports: [DatabaseTestingModule.forRoot(), DatabaseModule.forFeature([InvoicesRepository])],
      }).compile();
    } finally {
      process.chdir(cwd);
      rmSync(project, { recursive: true, force: true });
      app.remove();
    }
    expect(await moduleRef.get(InvoicesRepository).count()).toBe(0);
  });

  it("replaces the application's own DatabaseModule.forRoot with overrideModule", async () => {
    const database = DatabaseModule.forRoot({
      provider: 'postgres',
      env: {},
      postgres: { connectionString: 'postgresql://nobody@127.0.0.1:1/production' },
    });
    @Module({ imports: [database] })
    class AppModule {}
    moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideModule(database)
      .useModule(DatabaseTestingModule.forRoot())
      .compile();
    expect(moduleRef.get<DatabaseConnection>(DATABASE_CONNECTION).provider).toBe('sqlite');
    expect(await moduleRef.get(UserRepository).count()).toBe(0);
  });

  it('opens a named connection with { name }, injected by its tokens only', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [DatabaseTestingModule.forRoot({ name: 'analytics' })],
    }).compile();
    const users = moduleRef.get<UserRepository>(getRepositoryToken(UserRepository, 'analytics'));
    await users.create(ADA);
    expect(await users.count()).toBe(1);
    expect(
      moduleRef.get<DatabaseConnection>(getDatabaseConnectionToken('analytics')).provider,
    ).toBe('sqlite');
    expect(() => moduleRef!.get(DATABASE_ADAPTER)).toThrow();
  });

  it('boots a named connection beside the default one, each with a database of its own', async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        DatabaseTestingModule.forRoot(),
        DatabaseTestingModule.forRoot({ name: 'analytics' }),
      ],
    }).compile();
    await moduleRef.get(UserRepository).create(ADA);
    const named = moduleRef.get<UserRepository>(getRepositoryToken(UserRepository, 'analytics'));
    expect(await named.count()).toBe(0);
    expect(await moduleRef.get(UserRepository).count()).toBe(1);
  });

  it('refuses a connection name that is not one, before anything boots', () => {
    expect(() => DatabaseTestingModule.forRoot({ name: 'no spaces' })).toThrow(
      DatabaseConfigurationException,
    );
  });

  it('refuses a provider it cannot make a private database on, when declared', () => {
    expect(() => DatabaseTestingModule.forRoot({ provider: 'supabase' as 'sqlite' })).toThrow(
      DatabaseConfigurationException,
    );
  });

  it('refuses an admin URL that is not a postgresql:// URL without repeating it', async () => {
    const error = await Test.createTestingModule({
      imports: [
        DatabaseTestingModule.forRoot({ provider: 'postgres', adminUrl: 'mysql://u:secret@h/db' }),
      ],
    })
      .compile()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatabaseConfigurationException);
    expect((error as Error).message).not.toContain('secret');
  });
});

const postgres = TEST_KIT_PROVIDERS.find((kit) => kit.provider === 'postgres')!;

postgres.describe('DatabaseTestingModule on PostgreSQL', () => {
  it(
    'creates a database with a unique name and drops it at application shutdown',
    async () => {
      const moduleRef = await bootInvoicesApp({ ...postgres.options(), provider: 'postgres' });
      const { adapter } = moduleRef.get<DatabaseConnection>(DATABASE_CONNECTION);
      expect(adapter).toBeInstanceOf(PostgresAdapter);
      const { rows } = await (adapter as PostgresAdapter).pool.query<{ name: string }>(
        'SELECT current_database() AS name',
      );
      const { name } = rows[0];
      expect(name).toMatch(/^ndl_test_[0-9a-f]{12}$/);
      expect(await databaseExists(name)).toBe(true);
      await moduleRef.close();
      expect(await databaseExists(name)).toBe(false);
    },
    BOOT_TIMEOUT_MS,
  );

  // Nest 10 tells modules apart by a hash of their metadata (Nest 11 by reference, or with this
  // option): the two connections' test modules must not look alike to it.
  it(
    'gives a named connection a database of its own, dropped at shutdown, with deep-hash module ids',
    async () => {
      const moduleRef = await Test.createTestingModule(
        {
          imports: [
            DatabaseTestingModule.forRoot({ ...postgres.options(), provider: 'postgres' }),
            DatabaseTestingModule.forRoot({
              ...postgres.options(),
              name: 'reports',
              provider: 'postgres',
            }),
          ],
        },
        { moduleIdGeneratorAlgorithm: 'deep-hash' },
      ).compile();
      const names: string[] = [];
      for (const token of [DATABASE_ADAPTER, getDatabaseAdapterToken('reports')]) {
        const adapter = moduleRef.get<PostgresAdapter>(token);
        const { rows } = await adapter.pool.query<{ name: string }>(
          'SELECT current_database() AS name',
        );
        names.push(rows[0].name);
      }
      expect(new Set(names).size).toBe(2);
      await moduleRef.close();
      for (const name of names) expect(await databaseExists(name)).toBe(false);
    },
    BOOT_TIMEOUT_MS,
  );
});

describe('rollbackEachTest on a named connection', () => {
  let moduleRef: TestingModule;
  let users: UserRepository;
  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [DatabaseTestingModule.forRoot({ name: 'analytics' })],
    }).compile();
    users = moduleRef.get(getRepositoryToken(UserRepository, 'analytics'));
  });
  afterAll(() => moduleRef.close());

  rollbackEachTest(() => moduleRef.get(getDatabaseAdapterToken('analytics')));

  it('writes a row in one test', async () => {
    await users.create(ADA);
    expect(await users.count()).toBe(1);
  });

  it('and the next test does not see it', async () => {
    expect(await users.count()).toBe(0);
  });
});
