/**
 * The SQL boolean groups and projection compile to: parenthesised `(… OR …)` / `NOT (…)` with
 * every value a placeholder, parameters in placeholder order, values of sensitive columns redacted
 * inside groups too, and plan shapes that differ whenever the text does.
 */
import { postgresDialect } from '../../src/adapters/postgres/postgres.dialect';
import { sqliteDialect } from '../../src/adapters/sqlite/sqlite.dialect';
import { planParams, redactedPlanParams, selectText } from '../../src/adapters/sql/sql-compiler';
import type { FindOptions } from '../../src/adapters/database-adapter.interface';
import { DEFAULT_QUERY_LIMITS, planFind } from '../../src/query/plan-query';
import { allowQueriesOn, usersTable } from '../../src/schema';

const plan = (options: FindOptions, table = usersTable) =>
  planFind(table, options, DEFAULT_QUERY_LIMITS);

describe('boolean group statements', () => {
  it('parenthesises or branches and not, binding every value in order', () => {
    const p = plan({
      filters: {
        status: 'Active',
        or: [
          { firstName: 'Ann' },
          { lastName: 'x', not: { phone: null, role: ['Admin', 'User'] } },
        ],
      },
    });
    expect(selectText(p, postgresDialect)).toContain(
      `WHERE "deleted_at" IS NULL AND "status" = $1 AND (("first_name" = $2) OR ("last_name" = $3 AND NOT ("phone" IS NULL AND "role" = ANY($4::text[]))))`,
    );
    expect(planParams(p, postgresDialect)).toEqual(['Active', 'Ann', 'x', ['Admin', 'User']]);
    expect(selectText(p, sqliteDialect)).toContain(
      `(("first_name" = ?) OR ("last_name" = ? AND NOT ("phone" IS NULL AND "role" IN (SELECT value FROM json_each(?)))))`,
    );
  });

  it('redacts values of sensitive columns inside groups', () => {
    const table = allowQueriesOn(usersTable, ['passwordHash']);
    const p = plan(
      { filters: { or: [{ passwordHash: 'h1' }, { not: { passwordHash: 'h2' } }] } },
      table,
    );
    expect(planParams(p, sqliteDialect)).toEqual(['h1', 'h2']);
    expect(redactedPlanParams(p, sqliteDialect, '[REDACTED]')).toEqual([
      '[REDACTED]',
      '[REDACTED]',
    ]);
  });

  it('gives plans different shapes when their groups or selections differ', () => {
    const shapes = [
      plan({ filters: { or: [{ firstName: 'a' }, { lastName: 'b' }] } }),
      plan({ filters: { or: [{ firstName: 'a', lastName: 'b' }, { lastName: 'b' }] } }),
      plan({ filters: { or: [{ firstName: 'a' }, { lastName: 'b' }, { email: 'c' }] } }),
      plan({ filters: { not: { firstName: 'a' } } }),
      plan({ filters: { firstName: { neq: 'a' } } }),
      plan({ filters: { not: { firstName: 'a' } }, select: ['id'] }),
      plan({ filters: { not: { firstName: 'a' } }, select: ['email'] }),
    ].map((p) => p.shape);
    expect(new Set(shapes).size).toBe(shapes.length);
    expect(plan({ filters: { or: [{ firstName: 'x' }, { lastName: 'y' }] } }).shape).toBe(
      shapes[0],
    );
  });

  it('reads only the selected columns', () => {
    const p = plan({ select: ['email', 'id'] });
    expect(selectText(p, sqliteDialect)).toMatch(/^SELECT "id", "email" FROM "users"/);
  });
});
