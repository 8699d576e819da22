import { Client } from 'pg';
import { findPgBouncer, PGBOUNCER_ENV, startPgBouncer } from './pgbouncer-process';

/**
 * Decides once per run whether the PostgreSQL tests can run, and tells the workers through the
 * environment. Without a server they are skipped with a printed reason, except under CI=true,
 * where a missing server fails the run. With a server, it also starts one PgBouncer in front of
 * it for the pooler tests (see {@link startPgBouncerForRun}).
 */
export default async function globalSetup(): Promise<void> {
  const adminUrl = process.env.TEST_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  let reachable = false;
  try {
    await client.connect();
    await client.query('select 1');
    process.env.TEST_PG_ADMIN_URL = adminUrl;
    delete process.env.TEST_PG_SKIP_REASON;
    reachable = true;
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
  await startPgBouncerForRun(reachable ? adminUrl : undefined);
}

/**
 * Starts the run's PgBouncer (transaction mode, free loopback port) and exports its URL in
 * TEST_PGBOUNCER_URL; global teardown stops it by PID. Without pgbouncer installed the pooler
 * tests skip with a printed reason, except under CI=true, where `.ci/run` installs it.
 */
async function startPgBouncerForRun(adminUrl: string | undefined): Promise<void> {
  for (const name of Object.values(PGBOUNCER_ENV)) delete process.env[name];
  const skip = (reason: string): void => {
    process.env[PGBOUNCER_ENV.skipReason] = reason;
    process.stdout.write(`\n[pgbouncer tests skipped] ${reason}\n`);
  };
  if (!adminUrl)
    return skip('PostgreSQL is not reachable, so neither is a PgBouncer in front of it');
  const binary = findPgBouncer();
  if (!binary) {
    const reason = 'pgbouncer is not installed (apt-get install pgbouncer)';
    if (process.env.CI === 'true') {
      throw new Error(`${reason}. The PgBouncer tests are required under CI=true.`);
    }
    return skip(reason);
  }
  // Installed but failing to start is a broken set-up, not a missing tool: fail the run.
  const bouncer = await startPgBouncer(binary, adminUrl);
  process.env[PGBOUNCER_ENV.url] = bouncer.url;
  process.env[PGBOUNCER_ENV.pid] = String(bouncer.pid);
  process.env[PGBOUNCER_ENV.dir] = bouncer.dir;
  // Should the run end without teardown (a crash in setup, a thrown error), do not leave it running.
  process.once('exit', () => {
    try {
      process.kill(bouncer.pid, 'SIGTERM');
    } catch {
      // Already stopped by teardown.
    }
  });
}
