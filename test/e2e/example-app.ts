import { createServer } from 'node:net';
import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { configureApp, exampleAppOptions } from '../../examples/api/configure-app';

/** Boots the example's HTTP stack on the given imports, the way main.ts configures it. */
export async function bootApp(imports: ModuleMetadata['imports']): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports }).compile();
  const app = moduleRef.createNestApplication({ ...exampleAppOptions, logger: false });
  configureApp(app);
  await app.init();
  return app;
}

/** A local port with nothing listening on it: opened, noted and closed again. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
