import { existsSync, rmSync } from 'node:fs';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  DATABASE_ADAPTER,
  DatabaseHealthService,
  DatabaseMetricsService,
  DatabaseModule,
  InjectDatabaseAdapter,
  ResilientAdapter,
  SQLiteAdapter,
  TracedAdapter,
  UserRepository,
  type DatabaseModuleOptions,
  type DatabaseOptionsFactory,
  type IDatabaseAdapter,
} from '../../src';
import { MISSING_ASYNC_FACTORY_MESSAGE } from '../../src/database-core.module';
import { makeTempSqliteDir } from './temp-sqlite';

const tmp = makeTempSqliteDir('module');
afterAll(() => tmp.cleanup());

async function boot(imports: any[], providers: any[] = []): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({ imports, providers }).compile();
  return moduleRef.init();
}

@Injectable()
class OptionsFromClass implements DatabaseOptionsFactory {
  readonly path = tmp.file();
  createDatabaseOptions(): DatabaseModuleOptions {
    return { provider: 'sqlite', sqlite: { path: this.path }, env: {} };
  }
}

@Module({ providers: [OptionsFromClass], exports: [OptionsFromClass] })
class OptionsModule {}

@Injectable()
class NotesRepository {
  constructor(@InjectDatabaseAdapter() readonly adapter: IDatabaseAdapter) {}
}

describe('DatabaseModule', () => {
  it('forRoot boots on SQLite and injects the adapter, repositories, health and metrics', async () => {
    const app = await boot([
      DatabaseModule.forRoot({ provider: 'sqlite', sqlite: { path: tmp.file() }, env: {} }),
    ]);
    try {
      const adapter = app.get<IDatabaseAdapter>(DATABASE_ADAPTER);
      expect(adapter.provider).toBe('sqlite');
      const users = app.get(UserRepository);
      await users.create({ email: 'A@Example.com', firstName: 'Ann', lastName: 'Lee' });
      expect(await users.count()).toBe(1);
      const report = await app.get(DatabaseHealthService).checkHealth();
      expect(report.status).toBe('healthy');
      const snapshot = app.get(DatabaseMetricsService).snapshot();
      expect(snapshot.operations.some((o) => o.operation === 'create' && o.table === 'users')).toBe(
        true,
      );
    } finally {
      await app.close();
    }
  });

  it('wraps the adapter for resilience and tracing by default, showing the circuit in health and stats', async () => {
    const app = await boot([
      DatabaseModule.forRoot({ provider: 'sqlite', sqlite: { path: tmp.file() }, env: {} }),
    ]);
    try {
      const adapter = app.get<IDatabaseAdapter>(DATABASE_ADAPTER);
      expect(adapter).toBeInstanceOf(TracedAdapter);
      expect((adapter as TracedAdapter).inner).toBeInstanceOf(ResilientAdapter);
      const report = await app.get(DatabaseHealthService).checkHealth();
      expect(report.checks.connection.details).toMatchObject({ circuit: 'closed', exhausted: 0 });
      const stats = await app.get(DatabaseMetricsService).collectStats();
      expect(stats.resilience?.circuitState).toBe('closed');
      expect(stats.tableRowCounts).toMatchObject({ users: 0 });
    } finally {
      await app.close();
    }
  });

  it('leaves the adapter bare with resilience: false and tracing: false', async () => {
    const app = await boot([
      DatabaseModule.forRoot({
        provider: 'sqlite',
        sqlite: { path: tmp.file() },
        resilience: false,
        tracing: false,
        env: {},
      }),
    ]);
    try {
      expect(app.get(DATABASE_ADAPTER)).toBeInstanceOf(SQLiteAdapter);
    } finally {
      await app.close();
    }
  });

  it('forRootAsync with useFactory and inject', async () => {
    const path = tmp.file();
    const app = await boot([
      DatabaseModule.forRootAsync({
        imports: [OptionsModule],
        inject: [OptionsFromClass],
        useFactory: (factory: OptionsFromClass) => ({
          ...factory.createDatabaseOptions(),
          sqlite: { path },
        }),
      }),
    ]);
    try {
      expect(app.get<IDatabaseAdapter>(DATABASE_ADAPTER).provider).toBe('sqlite');
      expect(existsSync(path)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('forRootAsync with useClass', async () => {
    const app = await boot([DatabaseModule.forRootAsync({ useClass: OptionsFromClass })]);
    try {
      expect(existsSync(app.get(OptionsFromClass).path)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('forRootAsync with useExisting reuses a provider from imports', async () => {
    const app = await boot([
      DatabaseModule.forRootAsync({ imports: [OptionsModule], useExisting: OptionsFromClass }),
    ]);
    try {
      expect(existsSync(app.get(OptionsFromClass).path)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('forRootAsync without a factory fails at once with a clear message', () => {
    expect(() => DatabaseModule.forRootAsync({})).toThrow(MISSING_ASYNC_FACTORY_MESSAGE);
  });

  it('forFeature makes a repository of your own injectable', async () => {
    const app = await boot([
      DatabaseModule.forRoot({ provider: 'sqlite', sqlite: { path: tmp.file() }, env: {} }),
      DatabaseModule.forFeature([NotesRepository]),
    ]);
    try {
      expect(app.get(NotesRepository).adapter).toBe(app.get(DATABASE_ADAPTER));
    } finally {
      await app.close();
    }
  });

  it('two apps in one process keep separate adapters', async () => {
    const a = await boot([
      DatabaseModule.forRoot({ provider: 'sqlite', sqlite: { path: tmp.file() }, env: {} }),
    ]);
    const b = await boot([
      DatabaseModule.forRoot({ provider: 'sqlite', sqlite: { path: tmp.file() }, env: {} }),
    ]);
    try {
      expect(a.get(DATABASE_ADAPTER)).not.toBe(b.get(DATABASE_ADAPTER));
      await a
        .get(UserRepository)
        .create({ email: 'only-a@example.com', firstName: 'Al', lastName: 'A' });
      expect(await b.get(UserRepository).count()).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('close releases the SQLite file and a second close is safe', async () => {
    const path = tmp.file();
    const options = { provider: 'sqlite', sqlite: { path }, env: {} } as const;
    const app = await boot([DatabaseModule.forRoot(options)]);
    await app
      .get(UserRepository)
      .create({ email: 'x@example.com', firstName: 'Xa', lastName: 'Xi' });
    await app.close();
    await expect(app.close()).resolves.toBeUndefined();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    const again = await boot([DatabaseModule.forRoot(options)]);
    try {
      expect(await again.get(UserRepository).count()).toBe(0);
    } finally {
      await again.close();
    }
  });
});
