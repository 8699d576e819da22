import { Client } from 'pg';

/**
 * Decides once per run whether the PostgreSQL tests can run, and tells the workers through the
 * environment. Without a server they are skipped with a printed reason, except under CI=true,
 * where a missing server fails the run.
 */
export default async function globalSetup(): Promise<void> {
  const adminUrl = process.env.TEST_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    process.env.TEST_PG_ADMIN_URL = adminUrl;
    delete process.env.TEST_PG_SKIP_REASON;
  } catch (error) {
    const reason = `PostgreSQL is not reachable at ${adminUrl}: ${(error as Error).message}`;
    if (process.env.CI === 'true') {
      throw new Error(`${reason}. The PostgreSQL tests are required under CI=true.`);
    }
    process.env.TEST_PG_SKIP_REASON = reason;
    // The workers decide availability from this variable, so it must not outlive a failed probe.
    delete process.env.TEST_PG_ADMIN_URL;
    process.stdout.write(`\n[postgres tests skipped] ${reason}\n`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
