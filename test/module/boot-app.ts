import type { DynamicModule, INestApplicationContext, Provider, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DatabaseConfigurationException } from '../../src';

/** What a test application imports: dynamic modules or module classes. */
export type TestImports = Array<DynamicModule | Type<unknown>>;

/** Compiles and initialises an application of these imports and providers. */
export async function bootApp(
  imports: TestImports,
  providers: Provider[] = [],
): Promise<INestApplicationContext> {
  const moduleRef = await Test.createTestingModule({ imports, providers }).compile();
  return moduleRef.init();
}

/** Boots, expecting a configuration refusal (closing the app if it booted); returns it. */
export async function bootRefusal(imports: TestImports): Promise<DatabaseConfigurationException> {
  const outcome = await bootApp(imports).then(
    async (app) => {
      await app.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(outcome).toBeInstanceOf(DatabaseConfigurationException);
  return outcome as DatabaseConfigurationException;
}
