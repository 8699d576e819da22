import { sqliteDialect } from '../../src/adapters/sqlite/sqlite.dialect';
import { postgresDialect } from '../../src/adapters/postgres/postgres.dialect';
import { tableSql } from '../../src/adapters/sql/sql-compiler';
import {
  insertBatches,
  insertChunkSizes,
  MAX_ROWS_PER_INSERT,
} from '../../src/adapters/sql/sql-insert-batches';
import { paymentsTable, usersTable } from '../../src/schema';
import type { TableDefinition } from '../../src/schema/table-definition';

describe('multi-row inserts', () => {
  it('cuts a batch into full statements, then the rest as powers of 2', () => {
    expect(insertChunkSizes(0, 10, 32_766)).toEqual([]);
    expect(insertChunkSizes(37, 10, 32_766)).toEqual([32, 4, 1]);
    expect(insertChunkSizes(2_311, 10, 32_766)).toEqual([1024, 1024, 256, 4, 2, 1]);
    // A wide table under a small limit: 999 / 40 = 24 rows fit, so statements of 16.
    expect(insertChunkSizes(40, 40, 999)).toEqual([16, 16, 8]);
  });

  it.each([
    ['sqlite', sqliteDialect],
    ['postgres', postgresDialect],
  ])(
    'keeps every statement within the parameter limit and the rows in order (%s)',
    (_n, dialect) => {
      for (const table of [usersTable, paymentsTable] as TableDefinition<any>[]) {
        const sql = tableSql(table, dialect);
        const width = table.columns.length;
        const rows = Array.from({ length: 3_000 }, (_, r) =>
          Array.from({ length: width }, (_, c) => `${r}:${c}`),
        );
        const statements = [...insertBatches(sql, rows)];
        // Each row is encoded (booleans as 0/1 on SQLite, JSON as text) as its statement is made.
        expect(statements.flatMap((s) => s.values)).toEqual(rows.flatMap((r) => sql.encodeRow(r)));
        for (const statement of statements) {
          expect(statement.values.length).toBeLessThanOrEqual(dialect.maxParameters);
          expect(statement.values.length / width).toBeLessThanOrEqual(MAX_ROWS_PER_INSERT);
          const slots = statement.text.match(dialect.name === 'sqlite' ? /\?/g : /\$\d+/g) ?? [];
          expect(slots).toHaveLength(statement.values.length);
        }
      }
    },
  );

  it('redacts sensitive columns in every row of a traced statement', () => {
    const sql = tableSql(usersTable, sqliteDialect);
    const width = usersTable.columns.length;
    const hash = usersTable.columns.findIndex((c) => c.sensitive);
    const rows = [0, 1, 2].map(() => usersTable.columns.map((c) => (c.sensitive ? 'secret' : 'x')));
    const [statement] = [...insertBatches(sql, rows)];
    const shown = statement.redacted!();
    expect(shown).not.toContain('secret');
    expect([shown[hash], shown[hash + width]]).toEqual(['[REDACTED]', '[REDACTED]']);
  });
});
