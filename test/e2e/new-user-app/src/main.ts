import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { DatabaseExceptionFilter } from 'nest-data-layer';
import { AppModule } from './app.module';

async function main(): Promise<void> {
  const app = await NestFactory.create(AppModule, { abortOnError: false });
  app.useGlobalFilters(new DatabaseExceptionFilter());
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
}

main().catch((error: Error) => {
  console.error(`Could not start: ${error.message}`);
  process.exitCode = 1;
});
