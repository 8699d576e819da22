import { ValidationException, usersTable, paymentsTable } from '../../src';
import { DEFAULT_QUERY_LIMITS, planCount, planFind } from '../../src/query/plan-query';
import { encodeCursor } from '../../src/query/cursor';
import { escapeLikeText } from '../../src/query/like-pattern';
import type { Condition } from '../../src/query/query-plan';

const limits = DEFAULT_QUERY_LIMITS;
const conditionsOf = (filters: object) =>
  planFind(usersTable, { filters: filters as never }, limits).conditions.slice(1); // [0] is deleted_at IS NULL

function expectValidation(run: () => unknown, field: string): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as ValidationException).field).toBe(field);
    return;
  }
  throw new Error('expected a ValidationException');
}

describe('planFind', () => {
  it('maps camelCase properties to their columns and reads values as equality', () => {
    const [condition] = conditionsOf({ firstName: 'Ann' });
    expect(condition).toMatchObject({ kind: 'compare', op: 'eq', value: 'Ann' });
    expect((condition as Extract<Condition, { kind: 'compare' }>).column.column).toBe('first_name');
  });

  it('rejects unknown, prototype and hostile filter keys, naming them', () => {
    expectValidation(() => conditionsOf({ nope: 1 }), 'nope');
    expectValidation(() => conditionsOf({ constructor: 'x' }), 'constructor');
    expectValidation(
      () => conditionsOf({ 'email; DROP TABLE users': 'x' }),
      'email; DROP TABLE users',
    );
    expectValidation(() => conditionsOf({ email: { regex: '.*' } }), 'email');
  });

  it('turns arrays into IN, an empty array into a condition matching nothing', () => {
    expect(conditionsOf({ role: ['User', 'Admin', 'User'] })[0]).toMatchObject({
      kind: 'in',
      values: ['User', 'Admin'],
    });
    expect(conditionsOf({ role: [] })[0]).toEqual({ kind: 'never' });
  });

  it('normalizes values by column type and rejects the wrong type', () => {
    expect(conditionsOf({ createdAt: { gte: new Date(0) } })[0]).toMatchObject({
      value: '1970-01-01T00:00:00.000Z',
    });
    expect(conditionsOf({ id: 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11' })[0]).toMatchObject({
      value: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    });
    expectValidation(() => conditionsOf({ emailVerified: 'yes' }), 'emailVerified');
    expectValidation(() => conditionsOf({ id: 'abc' }), 'id');
    expectValidation(() => conditionsOf({ email: 'a\u0000b' }), 'email');
    expectValidation(() => planFind(paymentsTable, { filters: { amount: 1.5 } }, limits), 'amount');
    expectValidation(
      () => planFind(paymentsTable, { filters: { metadata: { eq: 1 } } }, limits),
      'metadata',
    );
  });

  it('treats null as IS NULL and isNull as either test', () => {
    expect(conditionsOf({ phone: null })[0]).toMatchObject({ kind: 'null', isNull: true });
    expect(conditionsOf({ phone: { isNull: false } })[0]).toMatchObject({
      kind: 'null',
      isNull: false,
    });
  });

  it('escapes %, _ and \\ in search text and ignores an empty search', () => {
    expect(escapeLikeText('50%_a\\b')).toBe('50\\%\\_a\\\\b');
    expect(conditionsOf({ search: '50%' })[0]).toMatchObject({
      kind: 'search',
      pattern: '%50\\%%',
    });
    expect(conditionsOf({ search: '' })).toEqual([]);
  });

  it('maps createdAfter/createdBefore to strict comparisons on createdAt', () => {
    expect(conditionsOf({ createdAfter: '2024-01-01', createdBefore: '2025-01-01' })).toMatchObject(
      [
        { op: 'gt', value: '2024-01-01T00:00:00.000Z' },
        { op: 'lt', value: '2025-01-01T00:00:00.000Z' },
      ],
    );
  });

  it("always ends the order with id, in the last key's direction, and rejects unknown order fields", () => {
    const plan = planFind(
      usersTable,
      { orderBy: [{ field: 'lastName', direction: 'desc' }] },
      limits,
    );
    expect(plan.orderBy.map((k) => `${k.column.column} ${k.direction}`)).toEqual([
      'last_name desc',
      'id desc',
    ]);
    expectValidation(
      () => planFind(usersTable, { orderBy: { field: 'password_hash' } }, limits),
      'password_hash',
    );
  });

  it('bounds page and limit', () => {
    for (const pagination of [
      { page: 0, limit: 10 },
      { page: 1.5, limit: 10 },
    ]) {
      expectValidation(() => planFind(usersTable, { pagination }, limits), 'pagination.page');
    }
    for (const limit of [0, 101, 2.5, Number.NaN]) {
      expectValidation(
        () => planFind(usersTable, { pagination: { page: 1, limit } }, limits),
        'pagination.limit',
      );
    }
    expect(planFind(usersTable, { pagination: { page: 3, limit: 10 } }, limits)).toMatchObject({
      limit: 10,
      offset: 20,
    });
  });

  it('gives equal shapes to queries that differ only in values', () => {
    const a = planFind(usersTable, { filters: { status: 'Active', role: ['User'] } }, limits);
    const b = planFind(
      usersTable,
      { filters: { status: 'Inactive', role: ['Admin', 'User'] } },
      limits,
    );
    const c = planFind(usersTable, { filters: { role: ['User'], status: 'Active' } }, limits);
    expect(a.shape).toBe(b.shape);
    expect(a.shape).not.toBe(c.shape);
    expect(planCount(usersTable, {}, false, limits).shape).not.toBe(
      planFind(usersTable, {}, limits).shape,
    );
  });
});

describe('cursors', () => {
  const orderSig = 'createdAt:asc,id:asc';
  it('refuses tampered cursors and cursors made for another order', () => {
    const run = (after: string) => () =>
      planFind(usersTable, { pagination: { after, limit: 5 } }, limits);
    expectValidation(run('not-base64-json'), 'pagination.after');
    expectValidation(run(encodeCursor('email:asc,id:asc', ['a', 'b'])), 'pagination.after');
    expectValidation(run(encodeCursor(orderSig, ['2024-01-01T00:00:00.000Z'])), 'pagination.after');
    expectValidation(
      run(encodeCursor(orderSig, ['2024-01-01T00:00:00.000Z', "x' OR 1=1"])),
      'pagination.after',
    );
  });

  it('turns a valid cursor into a keyset condition and fetches one row ahead', () => {
    const after = encodeCursor(orderSig, [
      '2024-01-01T00:00:00.000Z',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    ]);
    const plan = planFind(usersTable, { pagination: { after, limit: 5 } }, limits, {
      lookAhead: true,
    });
    expect(plan.limit).toBe(6);
    expect(plan.conditions.at(-1)).toMatchObject({ kind: 'after' });
  });

  it('refuses cursor pagination over a nullable order field', () => {
    expectValidation(
      () =>
        planFind(usersTable, { orderBy: { field: 'lastLogin' }, pagination: { limit: 5 } }, limits),
      'lastLogin',
    );
  });
});
