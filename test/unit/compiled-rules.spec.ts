import { IsInt, IsOptional, IsString, validateSync, ValidateNested } from 'class-validator';
import fc from 'fast-check';
import {
  PaymentEntity,
  SubscriptionEntity,
  UserEntity,
  UserRole,
  UserStatus,
  WebhookEventEntity,
} from '../../src/entities';
import type { FieldViolation } from '../../src/exceptions';
import { MANAGED_PROPERTIES } from '../../src/schema/managed-columns';
import { CompiledRules } from '../../src/validation/compiled-rules';
import { EntityValidator } from '../../src/validation/entity-validator';

/** What EntityValidator reported before the compiled rules: validateSync on every call. */
function reference(
  entityClass: new () => object,
  input: Record<string, unknown>,
  mode: 'create' | 'update',
): FieldViolation[] {
  const violations: FieldViolation[] = [];
  const given = new Set<string>();
  const instance = new entityClass() as Record<string, unknown>;
  for (const [property, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (MANAGED_PROPERTIES.has(property)) {
      violations.push({ field: property, messages: [`${property} is set by the library`] });
      continue;
    }
    given.add(property);
    instance[property] = value;
  }
  const errors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    skipMissingProperties: mode === 'update',
    validationError: { target: false, value: false },
  });
  for (const error of errors) {
    if (MANAGED_PROPERTIES.has(error.property)) continue;
    if (mode === 'update' && !given.has(error.property)) continue;
    const messages = Object.values(error.constraints ?? {});
    violations.push({
      field: error.property,
      messages: messages.length > 0 ? messages : [`${error.property} is not valid`],
    });
  }
  return violations;
}

const validUser = {
  email: 'ann@example.com',
  firstName: 'Ann',
  lastName: 'Lee',
  role: UserRole.User,
  status: UserStatus.Active,
  emailVerified: false,
  phone: '+15555550100',
};

/** Values that pass some rules and fail others. */
const anyValue = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    '',
    'x',
    'a'.repeat(101),
    'a'.repeat(256),
    'ann@example.com',
    'not an email',
    'Active',
    'Admin',
    'usd',
    'USD',
    '+15555550100',
    '2024-05-01T12:00:00.000Z',
    '2024-13-01',
    'https://example.com/a.png',
    '4f9a7c1e-0b7e-4d0a-9a4e-1f2b3c4d5e6f',
    0,
    -1,
    1.5,
    true,
    false,
    {},
    [],
    { a: 1 },
  ),
  fc.string(),
  fc.integer(),
);

const CLASSES: [string, new () => object, string[]][] = [
  ['UserEntity', UserEntity, Object.keys(validUser).concat(['avatarUrl', 'lastLogin', 'id'])],
  [
    'PaymentEntity',
    PaymentEntity,
    ['userId', 'amount', 'currency', 'status', 'metadata', 'description', 'lastEventAt'],
  ],
  [
    'SubscriptionEntity',
    SubscriptionEntity,
    ['userId', 'productId', 'priceId', 'status', 'currentPeriodStart', 'trialEnd'],
  ],
  [
    'WebhookEventEntity',
    WebhookEventEntity,
    ['stripeEventId', 'eventType', 'processed', 'payload', 'retryCount', 'lockedBy'],
  ],
];

describe('EntityValidator with compiled rules', () => {
  it.each(CLASSES)(
    'reports exactly what validateSync reports, for any input (%s)',
    (_name, entityClass, properties) => {
      const validator = new EntityValidator(entityClass as never, 'rows');
      const input = fc.dictionary(fc.constantFrom(...properties, 'unknownField'), anyValue);
      fc.assert(
        fc.property(input, fc.constantFrom('create' as const, 'update' as const), (row, mode) => {
          const found =
            mode === 'create' ? validator.createViolations(row) : validator.updateViolations(row);
          expect(found).toEqual(reference(entityClass, row, mode));
        }),
        { numRuns: 400 },
      );
    },
  );

  it('accepts a valid user without validateSync, and reports an invalid one as before', () => {
    const rules = CompiledRules.compile(UserEntity)!;
    expect(rules).toBeDefined();
    expect(rules.accepts(Object.assign(new UserEntity(), validUser), undefined)).toBe(true);
    const bad = Object.assign(new UserEntity(), { ...validUser, email: 'nope' });
    expect(rules.accepts(bad, undefined)).toBe(false);
    const validator = new EntityValidator(UserEntity, 'users');
    expect(validator.createViolations({ ...validUser, email: 'nope' })).toEqual([
      { field: 'email', messages: ['email must be an email'] },
    ]);
    expect(validator.updateViolations({ lastLogin: '2024-05-01T12:00:00.000Z' })).toEqual([]);
  });

  it('leaves classes with rules it cannot reproduce to validateSync', () => {
    class Child {
      @IsInt()
      n!: number;
    }
    class WithNested {
      @ValidateNested()
      child!: Child;
    }
    class WithEach {
      @IsOptional()
      @IsString({ each: true })
      tags?: string[];
    }
    expect(CompiledRules.compile(WithNested)).toBeUndefined();
    expect(CompiledRules.compile(WithEach)).toBeUndefined();
    const validator = new EntityValidator(WithEach as never, 'tagged');
    expect(validator.createViolations({ tags: ['a', 1] })).toEqual([
      { field: 'tags', messages: ['each value in tags must be a string'] },
    ]);
  });
});
