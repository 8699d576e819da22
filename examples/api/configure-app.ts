import { ValidationPipe, type INestApplication, type NestApplicationOptions } from '@nestjs/common';
import { DatabaseExceptionFilter } from '../../src';

/**
 * What the example's application is created with. `rawBody` keeps each request's exact bytes
 * next to the parsed body: Stripe signs the bytes, and re-serialized JSON never matches them.
 */
export const exampleAppOptions: NestApplicationOptions = { rawBody: true };

/**
 * Applies what the example needs on every route: input validation and database error mapping.
 * The whitelist pipe validates `@Body()`, `@Query()` and `@Param()` DTOs; the Stripe webhook
 * route reads only `@RawBody()` (a Buffer, which the pipe leaves alone), so Stripe's own fields
 * (`api_version`, `livemode`, …) are never refused as unknown properties.
 */
export function configureApp(app: INestApplication): INestApplication {
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.useGlobalFilters(new DatabaseExceptionFilter());
  app.enableShutdownHooks();
  return app;
}
