/**
 * Compile-time checks of the module options: `provider` is the union of known providers, and an
 * unknown option is an error in `forRoot` and in what `forRootAsync`'s `useFactory` returns
 * (run by test/types/type-tests.spec.ts).
 */
import {
  DatabaseModule,
  isDatabaseProvider,
  type DatabaseModuleOptions,
  type DatabaseProvider,
} from '../../src';

DatabaseModule.forRoot({ provider: 'sqlite', sqlite: { path: ':memory:' } });
DatabaseModule.forRoot({ name: 'analytics', provider: 'pglite' });
// @ts-expect-error a provider the library does not know
DatabaseModule.forRoot({ provider: 'sqlit' });
// @ts-expect-error an option the module does not have
DatabaseModule.forRoot({ provder: 'sqlite' });

DatabaseModule.forRootAsync({ useFactory: () => ({ provider: 'sqlite' }) });
DatabaseModule.forRootAsync({
  name: 'analytics',
  inject: [],
  useFactory: async () => ({ provider: 'postgres', postgres: { poolMax: 4 }, migrate: false }),
});
DatabaseModule.forRootAsync({
  // @ts-expect-error an option the module does not have, returned by the factory
  useFactory: () => ({ provder: 'sqlite' }),
});
DatabaseModule.forRootAsync({
  // @ts-expect-error an unknown option beside known ones
  useFactory: () => ({ provider: 'sqlite', migrat: false }),
});
DatabaseModule.forRootAsync({
  // @ts-expect-error an unknown option of a nested group
  useFactory: async () => ({ provider: 'sqlite', sqlite: { pth: ':memory:' } }),
});
DatabaseModule.forRootAsync({
  // @ts-expect-error an unknown option beside known ones in a nested group
  useFactory: () => ({ sqlite: { path: ':memory:', synchronus: 'FULL' } }),
});
DatabaseModule.forRootAsync({
  // @ts-expect-error a provider the library does not know, returned by the factory
  useFactory: () => ({ provider: 'sqlit' }),
});

/** A factory typed by its author still fits, and so does a prebuilt options object. */
function optionsFromElsewhere(): DatabaseModuleOptions {
  return { provider: 'sqlite', metrics: { prometheus: false } };
}
DatabaseModule.forRootAsync({ useFactory: optionsFromElsewhere });
DatabaseModule.forRootAsync({
  useFactory: () => ({ ...optionsFromElsewhere(), env: { SQLITE_PATH: ':memory:' } }),
});
DatabaseModule.forRootAsync({
  useFactory: () => ({
    resilience: false,
    metrics: { prometheus: { contentType: 'text/plain', metrics: () => '', extra: 1 } },
    migrations: { directories: ['migrations'] },
  }),
});

/** A provider read from the environment is checked before it becomes an option. */
export function fromEnv(value: string | undefined): DatabaseModuleOptions {
  // @ts-expect-error a plain string is not a provider
  const unchecked: DatabaseModuleOptions = { provider: value };
  const provider: DatabaseProvider | undefined = isDatabaseProvider(value) ? value : undefined;
  return { ...unchecked, provider };
}
