import fc from 'fast-check';
import { ValidationException } from '../../src/exceptions';
import { normalizeCreateRow, normalizeCreateRows } from '../../src/query/normalize-row';
import { normalizeCreate } from '../../src/query/normalize-write';
import { normalizeCreateMany } from '../../src/query/operation-input';
import { paymentsTable, usersTable, webhookEventsTable } from '../../src/schema';
import { defineTable, type TableDefinition } from '../../src/schema/table-definition';

const NOW = '2026-01-02T03:04:05.678Z';

const ordersTable = defineTable({
  name: 'orders',
  versioned: true,
  softDelete: false,
  columns: {
    total: { type: 'integer' },
    code: { type: 'text', sensitive: true, nullable: true },
    note: { type: 'string', length: 5, nullable: true },
    data: { type: 'json', nullable: true },
  },
}) as TableDefinition<any>;

const TABLES = [
  usersTable,
  paymentsTable,
  webhookEventsTable,
  ordersTable,
] as TableDefinition<any>[];

/** What a call gave: its values (the id, random, left out) or its ValidationException's content. */
function outcome(normalize: () => unknown[]): unknown {
  try {
    const row = normalize();
    return { row: row.slice(1) };
  } catch (error) {
    if (!(error instanceof ValidationException)) throw error;
    return { message: error.message, field: error.field, violations: error.violations };
  }
}

function fromMap(table: TableDefinition<any>, data: unknown): unknown[] {
  const values = normalizeCreate(table, data as object, NOW);
  return table.columns.map((c) => values.get(c) ?? null);
}

const valueArbitrary = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3_000_000_000, max: 3_000_000_000 }),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('User', 'Active', 'a@b.co', '2024-02-29T10:00:00Z', 'usd', 'succeeded', '\u0000'),
  fc.constant(new Date('2024-05-01T00:00:00.000Z')),
  fc.constant({ a: [1, 'x'] }),
  fc.uuid(),
);

function inputArbitrary(table: TableDefinition<any>) {
  const names = [...table.columns.map((c) => c.property), 'unknown', 'version', 'first_name'];
  return fc.dictionary(fc.constantFrom(...names), valueArbitrary, { maxKeys: names.length });
}

describe('normalizeCreateRow', () => {
  it.each(TABLES.map((t) => [t.name, t] as const))(
    'gives normalizeCreate’s values in column order, and its errors, on any input (%s)',
    (_name, table) => {
      fc.assert(
        fc.property(inputArbitrary(table), (input) => {
          const fromRow = outcome(() => normalizeCreateRow(table, input, NOW));
          expect(fromRow).toEqual(outcome(() => fromMap(table, input)));
        }),
        { numRuns: 500 },
      );
    },
  );

  it('refuses what is not an object as normalizeCreate does', () => {
    for (const bad of [null, [], 'x', 3]) {
      expect(outcome(() => normalizeCreateRow(usersTable, bad as object, NOW))).toEqual(
        outcome(() => fromMap(usersTable, bad)),
      );
    }
  });

  it('sets a fresh UUID v4 id and the managed columns', () => {
    const row = normalizeCreateRow(ordersTable, { total: 3 }, NOW);
    const at = (p: string) => row[ordersTable.columns.findIndex((c) => c.property === p)];
    expect(at('id')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect([at('createdAt'), at('updatedAt'), at('version')]).toEqual([NOW, NOW, 1]);
  });
});

describe('normalizeCreateRows', () => {
  it('reports a bad row with its index, as normalizeCreateMany does', () => {
    const rows = [{ total: 1 }, { total: 'x' }, {}];
    const failure = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const fromRows = failure(() => normalizeCreateRows(ordersTable, rows, (r) => r));
    const fromMaps = failure(() => normalizeCreateMany(ordersTable, rows));
    expect(fromRows).toBeInstanceOf(ValidationException);
    expect(fromRows).toEqual(fromMaps);
    expect((fromRows as ValidationException).violations).toEqual(
      (fromMaps as ValidationException).violations,
    );
    expect(failure(() => normalizeCreateRows(ordersTable, {}, (r) => r))).toEqual(
      failure(() => normalizeCreateMany(ordersTable, {})),
    );
    // Holes of a sparse array are rows too (refused as undefined).
    const sparse: unknown[] = [];
    sparse[1] = { total: 1 };
    expect(failure(() => normalizeCreateRows(ordersTable, sparse, (r) => r))).toEqual(
      failure(() => normalizeCreateMany(ordersTable, sparse)),
    );
  });
});
