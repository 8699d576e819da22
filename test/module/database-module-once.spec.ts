import { existsSync } from 'node:fs';
import { Module, type DynamicModule } from '@nestjs/common';
import { DATABASE_ADAPTER, DatabaseModule, UserRepository, type IDatabaseAdapter } from '../../src';
import { bootApp as boot, bootRefusal, type TestImports } from './boot-app';
import { makeTempSqliteDir } from './temp-sqlite';

const tmp = makeTempSqliteDir('module-once');
afterAll(() => tmp.cleanup());

function sqlite(path: string): DynamicModule {
  return DatabaseModule.forRoot({ provider: 'sqlite', sqlite: { path }, env: {} });
}

/** Boots, expecting the duplicate-forRoot refusal; returns its message. */
async function refusal(imports: TestImports): Promise<string> {
  return (await bootRefusal(imports)).message;
}

function expectExplains(message: string): void {
  expect(message).toMatch(/DatabaseModule\.forRoot\(\) or forRootAsync\(\) is imported 2 times/);
  expect(message).toMatch(/one database per application/);
  expect(message).toMatch(/once, in the root module/);
  expect(message).toMatch(/forFeature/);
  expect(message).toMatch(/named connections/i);
}

describe('DatabaseModule.forRoot() once per application', () => {
  it('refuses two forRoot at boot, naming the problem and the fix, before either opens a database', async () => {
    const first = tmp.file();
    const second = tmp.file();
    expectExplains(await refusal([sqlite(first), sqlite(second)]));
    expect(existsSync(first)).toBe(false);
    expect(existsSync(second)).toBe(false);
  });

  it('refuses forRoot and forRootAsync together, and forRoot in two feature modules', async () => {
    const paths = [tmp.file(), tmp.file(), tmp.file(), tmp.file()];
    const asyncOne = DatabaseModule.forRootAsync({
      useFactory: () => ({ provider: 'sqlite' as const, sqlite: { path: paths[1] }, env: {} }),
    });
    expectExplains(await refusal([sqlite(paths[0]), asyncOne]));

    @Module({ imports: [sqlite(paths[2])] })
    class BillingModule {}
    @Module({ imports: [sqlite(paths[3])] })
    class UsersModule {}
    expectExplains(await refusal([BillingModule, UsersModule]));
    for (const path of paths) expect(existsSync(path)).toBe(false);
  });

  it('accepts one forRoot module imported from several places: one database', async () => {
    const path = tmp.file();
    const database = sqlite(path);
    @Module({ imports: [database] })
    class BillingModule {}
    const app = await boot([database, BillingModule]);
    try {
      await app
        .get(UserRepository)
        .create({ email: 'a@example.com', firstName: 'A', lastName: 'B' });
      expect(existsSync(path)).toBe(true);
    } finally {
      await app.close();
    }
  });

  it('lets several applications in one process each have their own forRoot', async () => {
    const apps = await Promise.all([boot([sqlite(tmp.file())]), boot([sqlite(tmp.file())])]);
    try {
      const [a, b] = apps.map((app) => app.get<IDatabaseAdapter>(DATABASE_ADAPTER));
      expect(a).not.toBe(b);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
    }
  });
});
