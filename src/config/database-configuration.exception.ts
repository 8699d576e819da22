import { DatabaseException } from '../exceptions/database.exception';

/**
 * The database configuration is invalid: thrown at boot, before any connection is tried, with
 * every problem in one message.
 */
export class DatabaseConfigurationException extends DatabaseException {
  /** Each problem found, one sentence each. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options: { cause?: unknown } = {}) {
    super(`Invalid database configuration: ${problems.join('; ')}`, 'INVALID_CONFIGURATION', {
      cause: options.cause,
      details: { problems: [...problems] },
    });
    this.problems = problems;
  }
}
