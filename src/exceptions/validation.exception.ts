import { DatabaseException, type DatabaseExceptionOptions } from './database.exception';

/** One rejected field and why. */
export interface FieldViolation {
  field: string;
  messages: string[];
}

/**
 * Input was rejected: an unknown filter key or order field, a bad pagination value, a value of the
 * wrong type, or an entity that fails its validation rules.
 */
export class ValidationException extends DatabaseException {
  /** The first offending field, when there is one. */
  readonly field?: string;
  /** Every offending field with its messages. */
  readonly violations: FieldViolation[];

  constructor(
    message: string,
    field?: string,
    options: DatabaseExceptionOptions & { violations?: FieldViolation[] } = {},
  ) {
    const violations =
      options.violations ?? (field === undefined ? [] : [{ field, messages: [message] }]);
    super(message, 'VALIDATION_ERROR', {
      ...options,
      details: { ...options.details, field, violations },
    });
    this.field = field ?? violations[0]?.field;
    this.violations = violations;
  }
}
