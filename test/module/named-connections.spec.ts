import { existsSync } from 'node:fs';
import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import {
  DATABASE_ADAPTER,
  DATABASE_CONFIG,
  DATABASE_CONNECTION,
  DatabaseConfigurationException,
  DatabaseHealthIndicator,
  DatabaseHealthService,
  DatabaseMetricsService,
  DatabaseModule,
  getDatabaseAdapterToken,
  getDatabaseConfigToken,
  getDatabaseConnectionToken,
  getDatabaseHealthIndicatorToken,
  getDatabaseHealthToken,
  getDatabaseMetricsToken,
  getRepositoryToken,
  InjectDatabaseAdapter,
  InjectDatabaseConnection,
  InjectRepository,
  UserRepository,
  type DatabaseConnection,
  type DatabaseModuleOptions,
  type IDatabaseAdapter,
} from '../../src';
import { bootApp as boot, bootRefusal as refusal } from './boot-app';
import { makeTempSqliteDir } from './temp-sqlite';

const tmp = makeTempSqliteDir('named');
afterAll(() => tmp.cleanup());

function memory(name?: string, extra: DatabaseModuleOptions = {}): DynamicModule {
  return DatabaseModule.forRoot({
    name,
    provider: 'sqlite',
    sqlite: { path: ':memory:' },
    env: {},
    ...extra,
  });
}

/** An app repository written for the default connection: adapter and connection by decorator. */
@Injectable()
class AuditRepository {
  constructor(
    @InjectDatabaseAdapter() readonly adapter: IDatabaseAdapter,
    @InjectDatabaseConnection() readonly connection: DatabaseConnection,
  ) {}
}

@Injectable()
class Reports {
  constructor(
    readonly users: UserRepository,
    @InjectRepository(UserRepository, 'a') readonly usersA: UserRepository,
    @InjectRepository(UserRepository, 'b') readonly usersB: UserRepository,
    @InjectRepository(AuditRepository, 'b') readonly auditB: AuditRepository,
  ) {}
}

const user = (email: string) => ({ email, firstName: 'Ann', lastName: 'Lee' });

describe('named connections', () => {
  it('gives the default connection its usual tokens and each name stable tokens of its own', () => {
    expect(getDatabaseAdapterToken()).toBe(DATABASE_ADAPTER);
    expect(getDatabaseAdapterToken('default')).toBe(DATABASE_ADAPTER);
    expect(getDatabaseConfigToken()).toBe(DATABASE_CONFIG);
    expect(getDatabaseConnectionToken()).toBe(DATABASE_CONNECTION);
    expect(getDatabaseMetricsToken()).toBe(DatabaseMetricsService);
    expect(getDatabaseHealthToken()).toBe(DatabaseHealthService);
    expect(getDatabaseHealthIndicatorToken()).toBe(DatabaseHealthIndicator);
    expect(getRepositoryToken(UserRepository)).toBe(UserRepository);

    expect(typeof getDatabaseAdapterToken('a')).toBe('symbol');
    expect(getDatabaseAdapterToken('a')).toBe(getDatabaseAdapterToken('a'));
    expect(getDatabaseAdapterToken('a')).not.toBe(getDatabaseAdapterToken('b'));
    expect(getDatabaseAdapterToken('a')).not.toBe(getDatabaseConfigToken('a'));
    expect(getRepositoryToken(UserRepository, 'a')).toBe(getRepositoryToken(UserRepository, 'a'));
    expect(getRepositoryToken(UserRepository, 'a')).not.toBe(
      getRepositoryToken(UserRepository, 'b'),
    );
  });

  it('refuses a malformed name or a missing repository class with a configuration error', () => {
    for (const name of ['', 'a b', '1st', 'x'.repeat(65), 'a;drop']) {
      expect(() => getDatabaseAdapterToken(name)).toThrow(DatabaseConfigurationException);
      expect(() => memory(name)).toThrow(DatabaseConfigurationException);
    }
    expect(() => getRepositoryToken(undefined as never, 'a')).toThrow(
      DatabaseConfigurationException,
    );
  });

  it('runs two named SQLite connections beside the default one, each on its own database', async () => {
    const app = await boot(
      [
        memory(),
        memory('a'),
        memory('b'),
        DatabaseModule.forFeature([UserRepository], 'a'),
        DatabaseModule.forFeature([AuditRepository], 'b'),
      ],
      [Reports],
    );
    try {
      const reports = app.get(Reports);
      await reports.users.create(user('default@example.com'));
      await reports.usersA.create(user('a1@example.com'));
      await reports.usersA.create(user('a2@example.com'));
      await reports.usersB.create(user('b1@example.com'));
      await reports.usersB.create(user('b2@example.com'));
      await reports.usersB.create(user('b3@example.com'));
      expect(await reports.users.count()).toBe(1);
      expect(await reports.usersA.count()).toBe(2);
      expect(await reports.usersB.count()).toBe(3);
      expect(await reports.usersB.findByEmail('a1@example.com')).toBeNull();

      const adapters = [undefined, 'a', 'b'].map((n) => app.get(getDatabaseAdapterToken(n)));
      expect(new Set(adapters).size).toBe(3);
      expect(reports.auditB.adapter).toBe(app.get(getDatabaseAdapterToken('b')));
      expect(reports.auditB.connection).toBe(app.get(getDatabaseConnectionToken('b')));
      expect(app.get(UserRepository)).toBe(reports.users);

      const health = app.get<DatabaseHealthService>(getDatabaseHealthToken('a'));
      expect((await health.checkHealth()).status).toBe('healthy');
      const indicator = app.get<DatabaseHealthIndicator>(getDatabaseHealthIndicatorToken('b'));
      expect((await indicator.isHealthy('analytics')).analytics.status).toBe('up');
      const creates = (n?: string) =>
        app
          .get<DatabaseMetricsService>(getDatabaseMetricsToken(n))
          .snapshot()
          .operations.find((o) => o.operation === 'create' && o.table === 'users')?.count;
      expect([creates(), creates('a'), creates('b')]).toEqual([1, 2, 3]);
    } finally {
      await app.close();
    }
  });

  it('boots a named connection from forRootAsync and refuses a factory that renames it', async () => {
    const app = await boot([
      memory(),
      DatabaseModule.forRootAsync({
        name: 'b',
        useFactory: () => ({ provider: 'sqlite', sqlite: { path: ':memory:' }, env: {} }),
      }),
    ]);
    try {
      const usersB = app.get<UserRepository>(getRepositoryToken(UserRepository, 'b'));
      await usersB.create(user('b@example.com'));
      expect(await app.get(UserRepository).count()).toBe(0);
      expect(await usersB.count()).toBe(1);
    } finally {
      await app.close();
    }

    const renamed = DatabaseModule.forRootAsync({
      name: 'b',
      useFactory: () => ({ name: 'c', provider: 'sqlite', env: {} }),
    });
    expect((await refusal([renamed])).message).toMatch(/"b".*"c"|"c".*"b"/);
  });

  it('refuses two roots with the same name at boot, before either opens a database', async () => {
    const first = tmp.file();
    const second = tmp.file();
    const error = await refusal([
      memory('a', { sqlite: { path: first } }),
      DatabaseModule.forRootAsync({
        name: 'a',
        useFactory: () => ({ provider: 'sqlite', sqlite: { path: second }, env: {} }),
      }),
    ]);
    expect(error.message).toMatch(/"a"/);
    expect(error.message).toMatch(/2 times/);
    expect(existsSync(first)).toBe(false);
    expect(existsSync(second)).toBe(false);
  });

  it('counts a root named "default" as the unnamed one', async () => {
    const error = await refusal([memory(), memory('default')]);
    expect(error.message).toMatch(/imported 2 times/);
  });

  it('closes every connection at shutdown', async () => {
    const app = await boot([memory(), memory('a'), memory('b')]);
    const adapters = [undefined, 'a', 'b'].map((n) =>
      app.get<IDatabaseAdapter>(getDatabaseAdapterToken(n)),
    );
    const closes = adapters.map((adapter) => jest.spyOn(adapter, 'close'));
    await app.close();
    for (const close of closes) expect(close).toHaveBeenCalledTimes(1);
  });

  it('refuses, on a named connection, a repository that takes its adapter as a property', () => {
    @Injectable()
    class PropertyRepository {
      @InjectDatabaseAdapter() readonly adapter!: IDatabaseAdapter;
    }
    expect(() => DatabaseModule.forFeature([PropertyRepository], 'a')).toThrow(
      DatabaseConfigurationException,
    );
    expect(() => DatabaseModule.forFeature([PropertyRepository])).not.toThrow();
  });

  it('keeps feature modules of two names apart in one application', async () => {
    @Module({ imports: [DatabaseModule.forFeature([AuditRepository], 'a')] })
    class AnalyticsModule {}
    const app = await boot([memory('a'), memory('b'), AnalyticsModule]);
    try {
      const audit = app.get<AuditRepository>(getRepositoryToken(AuditRepository, 'a'));
      expect(audit.adapter).toBe(app.get(getDatabaseAdapterToken('a')));
      expect(audit.connection.provider).toBe('sqlite');
    } finally {
      await app.close();
    }
  });
});
