import { ValidationPipe, type INestApplication } from '@nestjs/common';
import { DatabaseExceptionFilter } from '../../src';

/** Applies what the example needs on every route: input validation and database error mapping. */
export function configureApp(app: INestApplication): INestApplication {
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
  );
  app.useGlobalFilters(new DatabaseExceptionFilter());
  app.enableShutdownHooks();
  return app;
}
