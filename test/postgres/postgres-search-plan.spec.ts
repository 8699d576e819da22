/**
 * PostgreSQL serves `search` from the trigram indexes of migration 0007: the statement the
 * library sends (ILIKE per searchable column, ORed, plus the live-row test, the order and the
 * page) is planned as a BitmapOr of the three gin_trgm_ops indexes, not a scan of the table.
 * Checked with EXPLAIN on 50,000 users, not timed.
 */
import { PostgresAdapter } from '../../src/adapters/postgres';
import { postgresDialect } from '../../src/adapters/postgres/postgres.dialect';
import { planParams, selectText } from '../../src/adapters/sql/sql-compiler';
import { DEFAULT_QUERY_LIMITS, planFind } from '../../src/query/plan-query';
import { usersTable } from '../../src/schema';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

const USERS = 50_000;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

describeWithPostgres('PostgreSQL search plan', () => {
  let database: TestDatabase;
  let adapter: PostgresAdapter;

  beforeAll(async () => {
    database = await createTestDatabase('search_plan');
    adapter = await PostgresAdapter.open({ connectionString: database.url, migrate: true });
    await adapter.pool.query(
      `INSERT INTO users (email, first_name, last_name, role, status, email_verified, created_at, updated_at)
       SELECT 'user.' || i || '@example.com', (ARRAY['Ada','Grace','Alan','Ken'])[1 + i % 4],
              (ARRAY['Lovelace','Hopper','Turing','Knuth'])[1 + i % 4], 'User', 'Active', false,
              timestamptz '2024-01-01' + i * interval '1 second',
              timestamptz '2024-01-01' + i * interval '1 second'
       FROM generate_series(1, ${USERS}) AS i`,
    );
    await adapter.pool.query('VACUUM ANALYZE users');
  }, 120_000);

  afterAll(async () => {
    await adapter?.close();
    await database?.drop();
  });

  it.each([
    ['asc', 'User.4711@'],
    ['desc', 'user.31337@EXAMPLE'],
  ] as const)(
    'plans a selective search (%s order) from the trigram indexes, with the scan’s results',
    async (direction, text) => {
      const options = {
        filters: { search: text },
        orderBy: { field: 'createdAt', direction },
        pagination: { limit: 20 },
      };
      const plan = planFind(usersTable, options, DEFAULT_QUERY_LIMITS);
      const explained = await adapter.pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
        `EXPLAIN (FORMAT JSON) ${selectText(plan, postgresDialect)}`,
        planParams(plan, postgresDialect),
      );
      const all = nodes(explained.rows[0]['QUERY PLAN'][0].Plan);
      const types = all.map((n) => n['Node Type']);
      expect(types).not.toContain('Seq Scan');
      expect(types).toContain('BitmapOr');
      expect(all.map((n) => n['Index Name']).filter(Boolean)).toEqual(
        expect.arrayContaining([
          'users_email_trgm_idx',
          'users_first_name_trgm_idx',
          'users_last_name_trgm_idx',
        ]),
      );
      const found = await adapter.findMany(options, usersTable);
      const scanned = await adapter.pool.query<{ id: string }>(
        `SELECT id FROM users WHERE deleted_at IS NULL AND (lower(email) LIKE $1 OR
           lower(first_name) LIKE $1 OR lower(last_name) LIKE $1)
         ORDER BY created_at ${direction}, id ${direction} LIMIT 20`,
        [`%${text.toLowerCase()}%`],
      );
      expect(found.map((u) => u.id)).toEqual(scanned.rows.map((r) => r.id));
      expect(found.length).toBeGreaterThan(0);
    },
  );
});
