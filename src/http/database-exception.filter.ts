import {
  Catch,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
  type LoggerService,
} from '@nestjs/common';
import { CircuitOpenException, ConnectionException } from '../exceptions/connection.exception';
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

/** Options of {@link DatabaseExceptionFilter}. */
export interface DatabaseExceptionFilterOptions {
  /**
   * While the database is unreachable, at most one warning per this many milliseconds; the next
   * one says how many requests failed the same way meanwhile. Default is 60000.
   */
  unavailableLogIntervalMs?: number;
  /** The clock of that interval, in ms. Default is `Date.now`. */
  now?: () => number;
}

/**
 * An exception filter that turns library exceptions into HTTP responses (see
 * {@link mapDatabaseException}). Server errors (5xx) are logged with their cause chain
 * ({@link describeCauseChain}: driver messages and codes, secrets redacted); clients get only a
 * fixed message, the exception code and caller-safe details.
 *
 * An unreachable database is not a bug of the request: a ConnectionException is a warning with
 * no stack, at most one per `unavailableLogIntervalMs`, and a CircuitOpenException (failed fast)
 * is not logged at all, since the circuit breaker logs its own state changes. An outage thus
 * leaves a few lines in the log, not an error with a stack per request.
 *
 * @example
 * app.useGlobalFilters(new DatabaseExceptionFilter());
 */
@Catch(DatabaseException)
export class DatabaseExceptionFilter implements ExceptionFilter<DatabaseException> {
  private readonly unavailableLogIntervalMs: number;
  private readonly now: () => number;
  private lastUnavailableLogAt = Number.NEGATIVE_INFINITY;
  private unavailableSinceLog = 0;

  constructor(
    private readonly logger: LoggerService = new Logger('DatabaseExceptionFilter'),
    options: DatabaseExceptionFilterOptions = {},
  ) {
    this.unavailableLogIntervalMs = options.unavailableLogIntervalMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  catch(exception: DatabaseException, host: ArgumentsHost): void {
    const { status, body } = mapDatabaseException(exception);
    if (exception instanceof ConnectionException) {
      this.noteUnavailable(exception);
    } else if (status >= 500) {
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

  /** A warning for the first request an outage fails, then one per interval with the count. */
  private noteUnavailable(exception: ConnectionException): void {
    if (exception instanceof CircuitOpenException) return;
    this.unavailableSinceLog += 1;
    const now = this.now();
    if (now - this.lastUnavailableLogAt < this.unavailableLogIntervalMs) return;
    const others = this.unavailableSinceLog - 1;
    const more =
      others > 0 ? ` (and ${others} more request(s) failed this way since the last warning)` : '';
    this.logger.warn(`The database is unavailable: ${describeCauseChain(exception)}${more}`);
    this.lastUnavailableLogAt = now;
    this.unavailableSinceLog = 0;
  }
}
