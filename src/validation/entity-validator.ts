import { validateSync, type ValidationError, type ValidatorOptions } from 'class-validator';
import { ValidationException, type FieldViolation } from '../exceptions';
import { MANAGED_PROPERTIES } from '../schema/managed-columns';
import type { IBaseEntity } from '../schema/table-definition';
import { CompiledRules } from './compiled-rules';

/** A class whose instances are entities: built with `new` and no arguments. */
export type EntityClass<T> = new () => T;

/**
 * The class-validator options every check uses, built once. Unknown properties are reported
 * (`forbidNonWhitelisted`), and errors carry neither the target nor the value, so a rejected
 * password hash or payload never ends up in an exception.
 */
const VALIDATOR_OPTIONS: Readonly<ValidatorOptions> = Object.freeze({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  validationError: Object.freeze({ target: false, value: false }),
});

/**
 * Update checks only the properties given: the rest are absent (undefined) and class-validator
 * skips them instead of validating a whole entity and discarding most errors. A given `null` is
 * skipped here too and then refused by the adapter for non-nullable columns.
 */
const UPDATE_VALIDATOR_OPTIONS: Readonly<ValidatorOptions> = Object.freeze({
  ...VALIDATOR_OPTIONS,
  skipMissingProperties: true,
});

function isPlainInput(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function violationOf(error: ValidationError, prefix: string): FieldViolation {
  const messages = Object.values(error.constraints ?? {});
  return {
    field: `${prefix}${error.property}`,
    messages: messages.length > 0 ? messages : [`${error.property} is not valid`],
  };
}

/**
 * Checks create and update input against an entity class's class-validator rules and reports
 * every bad field at once, in one {@link ValidationException}.
 *
 * Build one per entity class and keep it (a repository builds its own on first use): the options
 * are shared, and a check only copies the input onto a fresh instance and runs the rules.
 */
export class EntityValidator<T extends IBaseEntity> {
  /** The class's rules compiled on first use; null when only validateSync can check them. */
  private compiled?: CompiledRules | null;

  /**
   * @param entityClass - The class carrying the rules.
   * @param label - Names the input in messages, usually the table name.
   */
  constructor(
    private readonly entityClass: EntityClass<T>,
    private readonly label: string,
  ) {}

  /**
   * The violations of a create input: every rule of every non-managed property, plus any managed
   * or unknown property given. `prefix` is put before field names (`0.` for row 0 of a batch).
   */
  createViolations(input: unknown, prefix = ''): FieldViolation[] {
    return this.violations(input, prefix, 'create');
  }

  /** The violations of an update input: only the properties given are checked. */
  updateViolations(input: unknown, prefix = ''): FieldViolation[] {
    return this.violations(input, prefix, 'update');
  }

  /** Throws one ValidationException listing every bad field of a create input. */
  assertCreate(input: unknown): void {
    this.throwIfAny(this.createViolations(input));
  }

  /** Throws one ValidationException listing every bad field of an update input. */
  assertUpdate(input: unknown): void {
    this.throwIfAny(this.updateViolations(input));
  }

  /** Throws one ValidationException for the violations, if there are any. */
  throwIfAny(violations: FieldViolation[]): void {
    if (violations.length === 0) return;
    const fields = violations.map((v) => v.field).join(', ');
    throw new ValidationException(`Invalid ${this.label} input: ${fields}`, violations[0].field, {
      violations,
    });
  }

  private violations(input: unknown, prefix: string, mode: 'create' | 'update'): FieldViolation[] {
    if (!isPlainInput(input)) {
      return [{ field: prefix || 'input', messages: [`${this.label} input must be an object`] }];
    }
    // Only an update checks just the properties given; a create checks every one.
    const given = mode === 'update' ? new Set<string>() : undefined;
    const violations: FieldViolation[] = [];
    const instance = new this.entityClass() as Record<string, unknown>;
    for (const property of Object.keys(input)) {
      const value = input[property];
      // `undefined` means "not given", as it does for the adapters.
      if (value === undefined) continue;
      if (MANAGED_PROPERTIES.has(property)) {
        violations.push({
          field: `${prefix}${property}`,
          messages: [`${property} is set by the library`],
        });
        continue;
      }
      given?.add(property);
      instance[property] = value;
    }
    this.compiled ??= CompiledRules.of(this.entityClass) ?? null;
    // A valid input (the usual case) is accepted by the compiled rules alone; anything they
    // cannot accept goes through validateSync, so the messages are class-validator's own.
    if (this.compiled?.accepts(instance, given)) {
      return violations;
    }
    const options = mode === 'update' ? UPDATE_VALIDATOR_OPTIONS : VALIDATOR_OPTIONS;
    for (const error of validateSync(instance, options)) {
      // Managed columns are absent from input by design; on update, absent means unchanged.
      if (MANAGED_PROPERTIES.has(error.property)) continue;
      if (given && !given.has(error.property)) continue;
      violations.push(violationOf(error, prefix));
    }
    return violations;
  }
}
