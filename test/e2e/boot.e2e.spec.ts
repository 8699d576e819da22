import { existsSync, rmSync } from 'node:fs';
import { Injectable, Module } from '@nestjs/common';
import request from 'supertest';
import {
  DatabaseModule,
  DatabaseConfigurationException,
  UserRepository,
  type DatabaseModuleOptions,
  type DatabaseOptionsFactory,
} from '../../src';
import { ApiModule } from '../../examples/api/api.module';
import { makeTempSqliteDir } from '../module/temp-sqlite';
import { bootApp, closedPort } from './example-app';

const tmp = makeTempSqliteDir('e2e-boot');
afterAll(() => tmp.cleanup());

/** Options for a SQLite app that ignores the real environment. */
const sqliteOptions = (path: string): DatabaseModuleOptions => ({
  provider: 'sqlite',
  sqlite: { path },
  env: {},
});

@Injectable()
class SqliteOptionsFactory implements DatabaseOptionsFactory {
  readonly path = tmp.file();
  createDatabaseOptions(): DatabaseModuleOptions {
    return sqliteOptions(this.path);
  }
}

@Module({ providers: [SqliteOptionsFactory], exports: [SqliteOptionsFactory] })
class SqliteOptionsModule {}

describe('booting the example API with each forRootAsync style', () => {
  const styles: Array<[string, () => ReturnType<typeof DatabaseModule.forRootAsync>]> = [
    [
      'useFactory',
      () => DatabaseModule.forRootAsync({ useFactory: async () => sqliteOptions(tmp.file()) }),
    ],
    ['useClass', () => DatabaseModule.forRootAsync({ useClass: SqliteOptionsFactory })],
    [
      'useExisting',
      () =>
        DatabaseModule.forRootAsync({
          imports: [SqliteOptionsModule],
          useExisting: SqliteOptionsFactory,
        }),
    ],
  ];

  it.each(styles)('%s serves the routes', async (_style, databaseModule) => {
    const app = await bootApp([databaseModule(), ApiModule]);
    try {
      await request(app.getHttpServer())
        .post('/users')
        .send({ email: 'async@example.com', firstName: 'As', lastName: 'Ync' })
        .expect(201);
      const health = await request(app.getHttpServer()).get('/health').expect(200);
      expect(health.body).toMatchObject({ status: 'healthy', provider: 'sqlite' });
    } finally {
      await app.close();
    }
  });
});

describe('Supabase probe and fallback at boot', () => {
  it('falls back to SQLite when Supabase is unreachable, and health says degraded', async () => {
    const port = await closedPort();
    const path = tmp.file();
    const started = Date.now();
    const app = await bootApp([
      DatabaseModule.forRoot({
        probe: { timeoutMs: 2000, retries: 1, backoffMs: 10 },
        env: {
          DATABASE_PROVIDER: 'supabase',
          SUPABASE_URL: `http://127.0.0.1:${port}`,
          SUPABASE_ANON_KEY: 'anon-key',
          SQLITE_PATH: path,
        },
      }),
      ApiModule,
    ]);
    try {
      // Two attempts of at most 2 s each plus a 10 ms backoff; a refused port answers at once.
      expect(Date.now() - started).toBeLessThan(4_000 + 1_000);
      expect(existsSync(path)).toBe(true);
      const res = await request(app.getHttpServer()).get('/health').expect(200);
      expect(res.body).toMatchObject({
        status: 'degraded',
        provider: 'sqlite',
        fallbackActive: true,
      });
      expect(res.body.fallbackReason).toMatch(/^unreachable/);
    } finally {
      await app.close();
    }
  });

  it('with NODE_ENV=production and no DATABASE_FALLBACK, boot fails with a clear message', async () => {
    const port = await closedPort();
    const boot = bootApp([
      DatabaseModule.forRoot({
        probe: { retries: 0 },
        env: {
          NODE_ENV: 'production',
          DATABASE_PROVIDER: 'supabase',
          SUPABASE_URL: `http://127.0.0.1:${port}`,
          SUPABASE_ANON_KEY: 'anon-key',
          SQLITE_PATH: tmp.file(),
        },
      }),
      ApiModule,
    ]);
    await expect(boot).rejects.toThrow(
      /Supabase is unreachable at boot \(unreachable: .*\) and NODE_ENV=production does not fall back to SQLite unless DATABASE_FALLBACK=sqlite is set/,
    );
  });

  it('with NODE_ENV=production and DATABASE_FALLBACK=sqlite, it falls back', async () => {
    const port = await closedPort();
    const app = await bootApp([
      DatabaseModule.forRoot({
        probe: { retries: 0 },
        env: {
          NODE_ENV: 'production',
          DATABASE_PROVIDER: 'supabase',
          DATABASE_FALLBACK: 'sqlite',
          SUPABASE_URL: `http://127.0.0.1:${port}`,
          SUPABASE_SERVICE_KEY: 'service-key',
          SQLITE_PATH: tmp.file(),
        },
      }),
      ApiModule,
    ]);
    try {
      const res = await request(app.getHttpServer()).get('/health').expect(200);
      expect(res.body).toMatchObject({ status: 'degraded', fallbackActive: true });
    } finally {
      await app.close();
    }
  });
});

describe('bad configuration fails boot with one clear message', () => {
  it('an unknown DATABASE_PROVIDER', async () => {
    const boot = bootApp([
      DatabaseModule.forRoot({ env: { DATABASE_PROVIDER: 'mongo' } }),
      ApiModule,
    ]);
    await expect(boot).rejects.toThrow(
      'Invalid database configuration: DATABASE_PROVIDER=mongo is not one of supabase, sqlite, postgres',
    );
  });

  it('supabase without its URL and keys names every missing setting', async () => {
    const boot = bootApp([DatabaseModule.forRoot({ env: {} }), ApiModule]);
    await expect(boot).rejects.toBeInstanceOf(DatabaseConfigurationException);
    await expect(bootApp([DatabaseModule.forRoot({ env: {} })])).rejects.toThrow(
      'Invalid database configuration: DATABASE_PROVIDER=supabase needs SUPABASE_URL; ' +
        'DATABASE_PROVIDER=supabase needs SUPABASE_ANON_KEY or SUPABASE_SERVICE_KEY',
    );
  });
});

describe('shutdown', () => {
  it('app.close() releases the SQLite file; a second close is safe; the file reopens empty', async () => {
    const path = tmp.file();
    const app = await bootApp([DatabaseModule.forRoot(sqliteOptions(path)), ApiModule]);
    await request(app.getHttpServer())
      .post('/users')
      .send({ email: 'close@example.com', firstName: 'Cl', lastName: 'Ose' })
      .expect(201);
    await app.close();
    await app.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    expect(existsSync(path)).toBe(false);

    const reopened = await bootApp([DatabaseModule.forRoot(sqliteOptions(path)), ApiModule]);
    try {
      expect(await reopened.get(UserRepository).count()).toBe(0);
    } finally {
      await reopened.close();
    }
  });
});

describe('the example API on PGlite', () => {
  it('boots with DATABASE_PROVIDER=pglite, migrates, and serves the routes', async () => {
    const app = await bootApp([
      DatabaseModule.forRoot({ env: { DATABASE_PROVIDER: 'pglite' } }),
      ApiModule,
    ]);
    try {
      const server = app.getHttpServer();
      await request(server)
        .post('/users')
        .send({ email: 'wasm@example.com', firstName: 'Pg', lastName: 'Lite' })
        .expect(201);
      const found = await request(server).get('/users?search=wasm').expect(200);
      expect(found.body.data.map((u: { email: string }) => u.email)).toEqual(['wasm@example.com']);
      const health = await request(server).get('/health').expect(200);
      expect(health.body).toMatchObject({ status: 'healthy', provider: 'pglite' });
    } finally {
      await app.close();
    }
  }, 60_000);
});
