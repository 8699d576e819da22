import { Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { readProjectSettings } from '../cli/project-settings';
import type { DatabaseConnection } from '../config/database-connection.interface';
import { DatabaseConfigurationException } from '../config/database-configuration.exception';
import type { DatabaseModuleOptions } from '../config/database-options.interface';
import { DatabaseModule } from '../database.module';
import { checkConnectionName, getDatabaseConnectionToken } from '../database.tokens';
import {
  createThrowawayDatabase,
  DEFAULT_TEST_DATABASE_ADMIN_URL,
  TEST_DATABASE_ADMIN_URL_ENV,
} from './throwaway-postgres';

/** The providers a test database can run on. */
export type TestDatabaseProvider = 'sqlite' | 'pglite' | 'postgres';

const TEST_PROVIDERS: readonly TestDatabaseProvider[] = ['sqlite', 'pglite', 'postgres'];

/** What {@link DatabaseTestingModule.forRoot} takes. */
export interface DatabaseTestingOptions extends Pick<
  DatabaseModuleOptions,
  'maxPageSize' | 'transactionTimeoutMs' | 'logQueries' | 'metrics' | 'health' | 'tracing'
> {
  /**
   * The connection the test database serves: a name makes it that named connection, injected by
   * `getDatabaseAdapterToken(name)`, `@InjectRepository(Repo, name)`, … as in the application.
   * Default is the default connection.
   */
  name?: string;
  /**
   * Where the tests' database lives: `sqlite` (`:memory:`), `pglite` (`memory://`, needs
   * `@electric-sql/pglite`) or `postgres` (a database made for this boot on the server of
   * {@link adminUrl}, dropped at application shutdown). Default is `sqlite`.
   */
  provider?: TestDatabaseProvider;
  /**
   * The application's migration folders and tables, applied after (merged by version with) the
   * library's. Default is the `nestDataLayer.migrations` field of `./package.json`, else none.
   */
  migrations?: DatabaseModuleOptions['migrations'];
  /**
   * `postgres` only: a server and role allowed to CREATE DATABASE and DROP DATABASE. Default is
   * `TEST_DATABASE_ADMIN_URL`, else `postgresql://postgres@127.0.0.1:5432/postgres`.
   */
  adminUrl?: string;
}

/** The database made for one boot, and how to get rid of it. */
interface TestDatabase {
  readonly url?: string;
  drop(): Promise<void>;
}

/**
 * The token of a connection's test database. It carries the connection's name, so the holders of
 * two connections never look alike to Nest (whose `deep-hash` module ids hash a symbol's
 * description).
 */
function testDatabaseToken(name: string): symbol {
  return Symbol.for(`nest-data-layer:${name}:test-database`);
}

/** Holds the boot's test database, for the options factory and for the shutdown. */
@Module({})
class TestDatabaseHolderModule {}

/**
 * Closes the adapter, then drops the throwaway database (PostgreSQL) it was using. Built by a
 * factory that injects the connection of the module's name.
 */
class TestDatabaseCleanup implements OnApplicationShutdown {
  constructor(
    private readonly database: TestDatabase,
    private readonly connection: DatabaseConnection,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    // Closing twice is safe: the core module closes the same adapter.
    await this.connection.adapter.close();
    await this.database.drop();
  }
}

/**
 * The data layer for an application's own tests: `DatabaseModule.forRootAsync` on a private
 * database with the library's migrations and the application's applied, resilience and tracing
 * off, and the environment ignored (a developer's `.env` never points tests at a real database).
 * Repositories, the adapter and health are injectable as in the application; register the
 * application's repositories with `DatabaseModule.forFeature`. Pair it with `rollbackEachTest`.
 *
 * @example
 * const moduleRef = await Test.createTestingModule({
 *   imports: [
 *     DatabaseTestingModule.forRoot({ migrations: { directories: ['migrations'] } }),
 *     DatabaseModule.forFeature([InvoicesRepository]),
 *   ],
 * }).compile();
 */
@Module({})
export class DatabaseTestingModule {
  /**
   * Boots the test database: SQLite in memory by default. With `name`, it is that named
   * connection (`forRootAsync({ name })`), injected by its tokens as in the application.
   *
   * @throws DatabaseConfigurationException at once for an unknown provider or a bad name.
   */
  static forRoot(options: DatabaseTestingOptions = {}): DynamicModule {
    const provider = checkProvider(options.provider ?? 'sqlite');
    const name = checkConnectionName(options.name);
    const token = testDatabaseToken(name);
    const holder: DynamicModule = {
      module: TestDatabaseHolderModule,
      providers: [{ provide: token, useFactory: () => openTestDatabase(provider, options) }],
      exports: [token],
    };
    return {
      module: DatabaseTestingModule,
      imports: [
        holder,
        DatabaseModule.forRootAsync({
          name: options.name,
          imports: [holder],
          inject: [token],
          useFactory: (database: TestDatabase) => moduleOptions(provider, options, database),
        }),
      ],
      providers: [
        {
          provide: TestDatabaseCleanup,
          inject: [token, getDatabaseConnectionToken(options.name)],
          useFactory: (database: TestDatabase, connection: DatabaseConnection) =>
            new TestDatabaseCleanup(database, connection),
        },
      ],
    };
  }
}

function checkProvider(provider: unknown): TestDatabaseProvider {
  if (!TEST_PROVIDERS.includes(provider as TestDatabaseProvider)) {
    throw new DatabaseConfigurationException([
      `DatabaseTestingModule runs on ${TEST_PROVIDERS.join(', ')}; provider ${String(provider)} is not one of them`,
    ]);
  }
  return provider as TestDatabaseProvider;
}

async function openTestDatabase(
  provider: TestDatabaseProvider,
  options: DatabaseTestingOptions,
): Promise<TestDatabase> {
  if (provider !== 'postgres') return { drop: async () => undefined };
  const adminUrl =
    options.adminUrl ?? process.env[TEST_DATABASE_ADMIN_URL_ENV] ?? DEFAULT_TEST_DATABASE_ADMIN_URL;
  return createThrowawayDatabase(adminUrl);
}

function moduleOptions(
  provider: TestDatabaseProvider,
  options: DatabaseTestingOptions,
  database: TestDatabase,
): DatabaseModuleOptions {
  const { adminUrl: _adminUrl, name: _name, migrations, ...passed } = options;
  return {
    // Off unless a test asks for spans (`tracing: { tracerProvider }`): the adapter is then the
    // provider's own, as tests that reach its pool expect.
    tracing: false,
    ...passed,
    provider,
    env: {},
    resilience: false,
    migrate: true,
    sqlite: { path: ':memory:' },
    pglite: { path: 'memory://' },
    postgres: database.url === undefined ? undefined : { connectionString: database.url },
    migrations: {
      directories: migrations?.directories ?? manifestMigrations(),
      tables: migrations?.tables,
    },
  };
}

/** The migration folders of `./package.json`'s `nestDataLayer` field, as the CLI reads them. */
function manifestMigrations(): readonly string[] {
  const settings = readProjectSettings([], process.cwd(), {});
  return typeof settings === 'string' ? [] : settings.directories;
}
