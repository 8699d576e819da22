import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Why the PostgreSQL tests cannot run here, or undefined when they can. */
export const postgresSkipReason: string | undefined = process.env.TEST_PG_ADMIN_URL
  ? undefined
  : (process.env.TEST_PG_SKIP_REASON ?? 'TEST_PG_ADMIN_URL is not set (no global setup?)');

/**
 * `describe` when PostgreSQL is available, otherwise a skipped block whose title carries the
 * reason (global setup has printed it too, and under CI=true it fails the run instead).
 */
export const describeWithPostgres: (name: string, fn: () => void) => void = postgresSkipReason
  ? (name, fn) => describe.skip(`${name} [skipped: ${postgresSkipReason}]`, fn)
  : describe;

function adminUrl(): string {
  const url = process.env.TEST_PG_ADMIN_URL;
  if (!url) throw new Error(postgresSkipReason);
  return url;
}

/** A throwaway database, created for one test file and dropped after it. */
export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database with a unique name so parallel runs never see each other's rows. */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  const name = `ndl_${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    async drop() {
      const client = new Client({ connectionString: adminUrl() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
