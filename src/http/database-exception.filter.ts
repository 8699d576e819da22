import {
  Catch,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
  type LoggerService,
} from '@nestjs/common';
import { DatabaseException } from '../exceptions/database.exception';
import { mapDatabaseException } from './database-exception.mapper';
import { describeCauseChain } from './describe-cause-chain';

/** The response methods of Express and Fastify, whichever the application runs on. */
interface HttpResponseLike {
  status?: (code: number) => HttpResponseLike;
  json?: (body: unknown) => unknown;
  code?: (code: number) => HttpResponseLike;
  send?: (body: unknown) => unknown;
}

/**
 * The frames of an error's stack (`    at …` lines), without the lines before them: those repeat
 * the message, which may quote driver text, and the cause chain already says it, redacted.
 */
function stackFrames(error: Error): string | undefined {
  const frames = error.stack?.split('\n').filter((line) => /^\s+at /.test(line));
  return frames && frames.length > 0 ? frames.join('\n') : undefined;
}

/**
 * An exception filter that turns library exceptions into HTTP responses (see
 * {@link mapDatabaseException}). Server errors (5xx) are logged with their cause chain
 * ({@link describeCauseChain}: driver messages and codes, secrets redacted); clients get only a
 * fixed message, the exception code and caller-safe details.
 *
 * @example
 * app.useGlobalFilters(new DatabaseExceptionFilter());
 */
@Catch(DatabaseException)
export class DatabaseExceptionFilter implements ExceptionFilter<DatabaseException> {
  constructor(private readonly logger: LoggerService = new Logger('DatabaseExceptionFilter')) {}

  catch(exception: DatabaseException, host: ArgumentsHost): void {
    const { status, body } = mapDatabaseException(exception);
    if (status >= 500) {
      // The full story (the cause chain: driver messages and codes) stays in the server log,
      // with secrets and row values taken out; the client gets none of it.
      this.logger.error(describeCauseChain(exception), stackFrames(exception));
    }
    const res = host.switchToHttp().getResponse<HttpResponseLike>();
    if (typeof res.status === 'function' && typeof res.json === 'function') {
      res.status(status);
      res.json(body);
    } else if (typeof res.code === 'function' && typeof res.send === 'function') {
      res.code(status);
      res.send(body);
    }
  }
}
