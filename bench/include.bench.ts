import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { IDatabaseAdapter } from '../src/adapters/database-adapter.interface';
import { PostgresAdapter } from '../src/adapters/postgres';
import { SQLiteAdapter } from '../src/adapters/sqlite';
import { PaymentStatus } from '../src/entities/payment.entity';
import { UserRole, UserStatus } from '../src/entities/user.entity';
import { paymentsTable, usersTable } from '../src/schema';
import type { BenchProfile } from './bench-profile';
import { measure, type Contender } from './measure';
import type { Verdict } from './report';

/**
 * "A page of 20 users with their payments": the library's `include` (one statement: a json
 * aggregate per user) against one hand-written LEFT JOIN on the raw driver, grouped into users
 * with payment arrays in JavaScript. Each side reads one of the first pages in turn. Its own
 * database, seeded through the library: users, and 0 to 4 payments each.
 */

const PAGE = 20;
/** The target: the library at least this fraction of the raw JOIN's rate (within 1.5×). */
const TARGET = 1 / 1.5;

const RAW_JOIN = `SELECT u.*, p.id AS p_id, p.amount AS p_amount, p.currency AS p_currency,
 p.status AS p_status, p.stripe_payment_intent_id AS p_intent, p.metadata AS p_metadata,
 p.created_at AS p_created_at
 FROM (SELECT * FROM users WHERE deleted_at IS NULL ORDER BY created_at, id LIMIT 20 OFFSET $1) u
 LEFT JOIN payments p ON p.user_id = u.id AND p.deleted_at IS NULL
 ORDER BY u.created_at, u.id, p.created_at, p.id`;

type Row = Record<string, unknown>;

/** The JOIN's rows as users, each with the array of its payments (none: empty). */
function groupJoin(rows: readonly Row[]): Row[] {
  const users: Row[] = [];
  let current: { id?: unknown; payments: Row[] } = { payments: [] };
  for (const row of rows) {
    if (current.id !== row.id) users.push((current = { ...row, payments: [] }));
    if (row.p_id !== null) current.payments.push(row);
  }
  return users;
}

async function seed(adapter: IDatabaseAdapter, users: number): Promise<void> {
  for (let start = 0; start < users; start += 500) {
    const batch = Array.from({ length: Math.min(500, users - start) }, (_, k) => {
      const i = start + k;
      return {
        email: `include.${i}@example.com`,
        firstName: 'Ada',
        lastName: 'Lovelace',
        passwordHash: null,
        role: UserRole.User,
        status: UserStatus.Active,
        emailVerified: i % 2 === 0,
        phone: null,
        avatarUrl: null,
        stripeCustomerId: null,
        lastLogin: null,
      };
    });
    const created = await adapter.createMany(batch, usersTable);
    const payments = created.flatMap((user, k) =>
      Array.from({ length: (start + k) % 5 }, (_, n) => ({
        stripePaymentIntentId: `pi_include_${start + k}_${n}`,
        userId: user.id,
        stripeCustomerId: null,
        amount: 1000 + n,
        currency: 'usd',
        status: PaymentStatus.Succeeded,
        paymentMethod: 'card',
        description: null,
        metadata: { n },
      })),
    );
    if (payments.length > 0) await adapter.createMany(payments, paymentsTable);
  }
}

/** One provider's row: library and raw contenders measured side by side. */
async function row(
  provider: string,
  adapter: IDatabaseAdapter,
  raw: (offset: number) => unknown,
  pages: number,
  profile: BenchProfile,
): Promise<{ line: string; verdict: Verdict }> {
  const library: Contender = {
    run: (i) =>
      adapter.findMany(
        { pagination: { page: (i % pages) + 1, limit: PAGE }, include: { payments: true } },
        usersTable,
      ),
  };
  const join: Contender = { run: (i) => raw((i % pages) * PAGE) };
  const result = await measure([join, library], profile.settings);
  const ratio = result.ratios[1];
  const met = ratio >= TARGET;
  const rate = (value: number) => Math.round(value).toLocaleString('en-US');
  const line = `| ${provider} | ${rate(result.opsPerSecond[0])} | ${rate(result.opsPerSecond[1])} | ${(Math.floor(ratio * 100) / 100).toFixed(2)}× | ≥ 0.67× (within 1.5×): ${met ? 'met' : '**missed**'} |`;
  return {
    line,
    verdict: {
      provider,
      target: 'page of 20 users with payments via include ≥ 0.67× the raw JOIN',
      met,
      measured: `${ratio.toFixed(2)}×`,
    },
  };
}

/**
 * Measures the include row on SQLite and, when `postgresUrl` is given (an admin connection that
 * may create databases), on PostgreSQL; returns its markdown section and verdicts.
 */
export async function benchInclude(
  profile: BenchProfile,
  postgresUrl: string | undefined,
  log: (message: string) => void,
): Promise<{ markdown: string; verdicts: Verdict[] }> {
  const users = Math.max(PAGE * 10, Math.floor(profile.rows / 10));
  const pages = Math.min(50, Math.floor(users / PAGE));
  const lines: string[] = [];
  const verdicts: Verdict[] = [];
  const directory = mkdtempSync(join(tmpdir(), 'ndl-bench-include-'));
  const sqlite = await SQLiteAdapter.open({
    path: join(directory, 'include.sqlite'),
    migrate: true,
  });
  try {
    await seed(sqlite, users);
    sqlite.connection.exec('ANALYZE');
    log(`include: seeded ${users} users with payments on SQLite`);
    const statement = sqlite.connection.prepare(RAW_JOIN.replace('$1', '?'));
    const result = await row(
      'SQLite',
      sqlite,
      (o) => groupJoin(statement.all(o) as Row[]),
      pages,
      profile,
    );
    lines.push(result.line);
    verdicts.push(result.verdict);
  } finally {
    await sqlite.close();
    rmSync(directory, { recursive: true, force: true });
  }
  if (postgresUrl !== undefined) {
    const name = `ndl_bench_include_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: postgresUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
      const url = new URL(postgresUrl);
      url.pathname = `/${name}`;
      const adapter = await PostgresAdapter.open({
        connectionString: url.toString(),
        migrate: true,
      });
      const client = new Client({ connectionString: url.toString() });
      // A connection the server ends at the drop must not end the run with an 'error' event.
      client.on('error', () => undefined);
      await client.connect();
      try {
        await seed(adapter, users);
        await client.query('VACUUM ANALYZE');
        log(`include: seeded ${users} users with payments on PostgreSQL`);
        const query = async (o: number) => groupJoin((await client.query(RAW_JOIN, [o])).rows);
        const result = await row('PostgreSQL', adapter, query, pages, profile);
        lines.push(result.line);
        verdicts.push(result.verdict);
      } finally {
        await client.end();
        await adapter.close();
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  }
  const markdown = [
    `### Relations: a page of ${PAGE} users with their payments (${users.toLocaleString('en-US')} users, 0–4 payments each)`,
    '',
    '| Provider | raw single JOIN ops/s | library `include` ops/s | library ÷ raw | target |',
    '|---|---:|---:|---:|---|',
    ...lines,
    '',
  ].join('\n');
  return { markdown, verdicts };
}
