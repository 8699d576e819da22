import {
  describeChange,
  diffSchemas,
  parseSnapshot,
  refuseUnsafeChanges,
  SchemaChangeException,
  snapshotText,
} from '../../src/schema-model';
import type { ColumnOptions } from '../../src/schema';
import { invoices, modelOf } from './support/models';

const base: Record<string, ColumnOptions> = {
  number: { type: 'string', length: 32 },
  status: { type: 'string', enum: ['draft', 'sent'], default: 'draft' },
};

const refusal = (run: () => void): SchemaChangeException => {
  try {
    run();
  } catch (error) {
    if (error instanceof SchemaChangeException) return error;
    throw error;
  }
  throw new Error('not refused');
};

describe('diffSchemas', () => {
  it('creates every table of an empty snapshot, and finds nothing between equal schemas', () => {
    const table = invoices(base);
    expect(diffSchemas([], [table])).toEqual([{ kind: 'create-table', table }]);
    expect(diffSchemas([table], [invoices(base)])).toEqual([]);
    expect(diffSchemas([table], []).map(describeChange)).toEqual(['- table invoices']);
  });

  it('names what changed in a column', () => {
    const after = invoices({
      number: { type: 'string', length: 40, nullable: true },
      status: { type: 'string', enum: ['draft', 'sent', 'paid'], default: 'sent' },
    });
    expect(diffSchemas([invoices(base)], [after]).map(describeChange)).toEqual([
      '~ column invoices.number (length, nullable)',
      '~ column invoices.status (enum, default)',
    ]);
  });

  it('sees a type, a foreign key and an integer widening', () => {
    const before = invoices({ ...base, owner: { type: 'string' }, total: { type: 'integer' } });
    const after = invoices({
      ...base,
      owner: { type: 'uuid', references: { table: 'users' } },
      total: { type: 'integer', range: { min: 0, max: 2 ** 40 } },
    });
    expect(diffSchemas([before], [after]).map(describeChange)).toEqual([
      '~ column invoices.owner (type, foreign-key)',
      '~ column invoices.total (type)',
      '+ index invoices_owner_created_at_idx',
    ]);
  });

  it('compares indexes by shape: a unique column adds its partial unique index', () => {
    const after = invoices({ ...base, number: { type: 'string', length: 32, unique: true } });
    const changes = diffSchemas([invoices(base)], [after]);
    expect(changes.map(describeChange)).toEqual(['+ index invoices_number_key']);
    expect(changes[0]).toMatchObject({ index: { unique: true, where: 'deleted_at IS NULL' } });
  });

  it('never guesses a rename: a drop plus an add, refused without allowDrop', () => {
    const renamed = invoices({ reference: base.number, status: base.status });
    const changes = diffSchemas([invoices(base)], [renamed]);
    expect(changes.map(describeChange)).toEqual([
      '- column invoices.number',
      '+ column invoices.reference',
    ]);
    const error = refusal(() => refuseUnsafeChanges(changes, { allowDrop: false }));
    expect(error.code).toBe('SCHEMA_DROP_REFUSED');
    expect(error.message).toContain('  - column invoices.number');
    expect(error.message).toMatch(/rename is never guessed.*--allow-drop/s);
  });

  it('lets drops through with allowDrop, and names every one without it', () => {
    const other = modelOf('notes', { body: { type: 'text' } });
    const changes = diffSchemas([invoices(base), other], [invoices({ number: base.number })]);
    expect(() => refuseUnsafeChanges(changes, { allowDrop: true })).not.toThrow();
    const error = refusal(() => refuseUnsafeChanges(changes, { allowDrop: false }));
    expect(error.message).toContain('  - table notes');
    expect(error.message).toContain('  - column invoices.status');
  });

  it('refuses a NOT NULL column without a default on an existing table', () => {
    const changes = diffSchemas(
      [invoices(base)],
      [invoices({ ...base, due: { type: 'timestamp' } })],
    );
    const error = refusal(() => refuseUnsafeChanges(changes, { allowDrop: true }));
    expect(error.code).toBe('SCHEMA_CHANGE_UNSAFE');
    expect(error.message).toMatch(/invoices\.due .*Give it a default or make it nullable/);
  });
});

describe('the snapshot file', () => {
  it('reads back what it wrote, tables sorted by name', () => {
    const notes = modelOf('notes', { body: { type: 'text' } });
    const text = snapshotText([notes, invoices(base)]);
    expect(text.endsWith('}\n')).toBe(true);
    expect(parseSnapshot(text)).toEqual({ version: 1, tables: [invoices(base), notes] });
  });

  it.each([
    ['not JSON', '{', /is not JSON/],
    ['another version', '{"version":2,"tables":[]}', /version must be 1/],
    [
      'a name that is no identifier',
      snapshotText([invoices(base)]).replace('"number"', '"number; DROP TABLE users"'),
      /tables\[0\]\.columns\[1\]\.name must be a name matching/,
    ],
    [
      'an unknown type',
      snapshotText([invoices(base)]).replace('"type": "uuid"', '"type": "money"'),
      /tables\[0\]\.columns\[0\]\.type must be one of/,
    ],
    [
      'a default that is no literal',
      snapshotText([invoices(base)]).replace('"default": "draft"', '"default": {"x": 1}'),
      /columns\[2\]\.default must be a string, a safe integer, a boolean or null/,
    ],
  ])('refuses %s, naming the field', (_what, text, message) => {
    const error = refusal(() => parseSnapshot(text));
    expect(error.code).toBe('SCHEMA_INVALID');
    expect(error.message).toMatch(message);
  });
});
