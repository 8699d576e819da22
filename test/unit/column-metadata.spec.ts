import { inspect } from 'node:util';
import { ValidationException } from '../../src/exceptions';
import { normalizeScalar } from '../../src/query/normalize-value';
import {
  allowQueriesOn,
  setEntityProperty,
  defineTable,
  INT32_RANGE,
  SAFE_INTEGER_RANGE,
  usersTable,
  type IBaseEntity,
} from '../../src/schema';

interface ICounter extends IBaseEntity {
  small: number;
  big: number;
  token?: string | null;
  label: string;
}

const countersTable = defineTable<ICounter>({
  name: 'counters',
  columns: {
    small: { type: 'integer' },
    big: { type: 'integer', range: SAFE_INTEGER_RANGE },
    token: { type: 'text', nullable: true, sensitive: true },
    label: { type: 'string' },
  },
  searchable: ['label'],
});

describe('column metadata', () => {
  it('gives integer columns the 32-bit range unless the definition widens it', () => {
    expect(countersTable.column('small')?.range).toEqual(INT32_RANGE);
    expect(countersTable.column('label')?.range).toBeUndefined();
    const small = countersTable.column('small')!;
    const big = countersTable.column('big')!;
    expect(normalizeScalar(small, 2_147_483_647, 'small')).toBe(2_147_483_647);
    expect(() => normalizeScalar(small, 2_147_483_648, 'small')).toThrow(ValidationException);
    expect(normalizeScalar(big, 2 ** 40, 'big')).toBe(2 ** 40);
    expect(() =>
      defineTable<ICounter>({
        name: 'bad',
        columns: {
          small: { type: 'integer', range: { min: 2, max: 1 } },
          big: { type: 'integer' },
          label: { type: 'string', range: INT32_RANGE },
          token: { type: 'text', nullable: true },
        },
      }),
    ).toThrow(/range/);
  });

  it('makes sensitive columns unqueryable by default, and refuses to search them', () => {
    expect(countersTable.column('token')).toMatchObject({ sensitive: true, queryable: false });
    expect(countersTable.column('label')).toMatchObject({ sensitive: false, queryable: true });
    expect(countersTable.sensitive.map((c) => c.property)).toEqual(['token']);
    expect(() =>
      defineTable<ICounter>({
        name: 'bad',
        columns: {
          small: { type: 'integer' },
          big: { type: 'integer' },
          token: { type: 'text', sensitive: true, nullable: true },
          label: { type: 'string' },
        },
        searchable: ['token'],
      }),
    ).toThrow(/sensitive/);
  });

  it('opts a table in to queries on named sensitive columns, changing nothing else', () => {
    const opted = allowQueriesOn(usersTable, ['passwordHash']);
    expect(opted.column('passwordHash')).toMatchObject({ sensitive: true, queryable: true });
    expect(usersTable.column('passwordHash')?.queryable).toBe(false);
    expect(opted.columns.map((c) => c.column)).toEqual(usersTable.columns.map((c) => c.column));
    expect(opted.searchable.map((c) => c.property)).toEqual(['email', 'firstName', 'lastName']);
    expect(opted.entity).toBe(usersTable.entity);
    expect(Object.isFrozen(opted)).toBe(true);
    expect(() => allowQueriesOn(usersTable, ['nope' as never])).toThrow(/nope/);
  });

  it('gives timestamp columns unknown precision unless the table or the column declares ms', () => {
    interface IEvent extends IBaseEntity {
      at: string;
      exact: string;
      label: string;
    }
    const columns = {
      at: { type: 'timestamp' },
      exact: { type: 'timestamp', precision: 'ms' },
      label: { type: 'string' },
    } as const;
    const precisions = (table: { columns: readonly { property: string; precision?: string }[] }) =>
      Object.fromEntries(table.columns.map((c) => [c.property, c.precision]));
    expect(precisions(defineTable<IEvent>({ name: 'events', columns }))).toEqual({
      id: undefined,
      at: 'unknown',
      exact: 'ms',
      label: undefined,
      createdAt: 'unknown',
      updatedAt: 'unknown',
      deletedAt: 'unknown',
    });
    const exactTable = defineTable<IEvent>({
      name: 'events',
      timestampPrecision: 'ms',
      columns: { ...columns, at: { type: 'timestamp', precision: 'unknown' } },
    });
    expect(precisions(exactTable)).toMatchObject({ at: 'unknown', exact: 'ms', createdAt: 'ms' });
    expect(allowQueriesOn(exactTable, ['label']).column('createdAt')?.precision).toBe('ms');
    expect(() =>
      defineTable<IEvent>({
        name: 'bad',
        columns: { ...columns, label: { type: 'string', precision: 'ms' } },
      }),
    ).toThrow(/Only a timestamp column has a precision \(label\)/);
    expect(() =>
      defineTable<IEvent>({ name: 'bad', columns, timestampPrecision: 'us' as never }),
    ).toThrow(/timestampPrecision of bad must be 'ms' or 'unknown'/);
  });

  it('conceals sensitive properties of an entity: readable, but not enumerable', () => {
    const built: Record<string, unknown> = {};
    const values: Record<string, unknown> = { id: 'x', label: 'visible', token: 'tok_secret' };
    for (const column of countersTable.columns) {
      if (column.property in values) setEntityProperty(built, column, values[column.property]);
    }
    const entity = built as unknown as ICounter;
    expect(entity.token).toBe('tok_secret');
    expect(Object.keys(entity)).toEqual(['id', 'label']);
    expect(inspect(entity)).not.toContain('tok_secret');
    expect(JSON.stringify(entity)).not.toContain('tok_secret');
    expect({ ...entity }).not.toHaveProperty('token');
    entity.token = 'changed';
    expect(entity.token).toBe('changed');
    expect(Object.keys(entity)).not.toContain('token');
  });

  it('adds a managed integer version column to a versioned table, kept by allowQueriesOn', () => {
    const versioned = defineTable({
      name: 'orders',
      versioned: true,
      columns: { total: { type: 'integer' }, code: { type: 'text', sensitive: true } },
    });
    expect(versioned.versioned).toBe(true);
    expect(versioned.columns.map((c) => c.property)).toEqual([
      'id',
      'total',
      'code',
      'createdAt',
      'updatedAt',
      'deletedAt',
      'version',
    ]);
    expect(versioned.column('version')).toMatchObject({
      column: 'version',
      type: 'integer',
      nullable: false,
      defaultValue: 1,
      range: INT32_RANGE,
    });
    expect(allowQueriesOn(versioned, ['code']).versioned).toBe(true);
    expect(countersTable.versioned).toBe(false);
    expect(countersTable.column('version')).toBeUndefined();
  });

  it('reserves the property name version, and takes only a boolean for versioned', () => {
    expect(() => defineTable({ name: 'bad', columns: { version: { type: 'integer' } } })).toThrow(
      /version is managed by the library; declare versioned: true/,
    );
    expect(() =>
      defineTable({
        name: 'bad',
        versioned: 'yes' as unknown as boolean,
        columns: { a: { type: 'text' } },
      }),
    ).toThrow(/versioned of bad must be a boolean/);
    expect(() =>
      defineTable({
        name: 'bad',
        versioned: true,
        columns: { appVersion: { type: 'integer', column: 'version' } },
      }),
    ).toThrow(/same column twice/);
  });
});
