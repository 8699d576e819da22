import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { mapPostgresError } from '../adapters/postgres/postgres-error.mapper';
import { DatabaseConfigurationException } from '../config/database-configuration.exception';

/** The environment variable naming the server where tests create their PostgreSQL databases. */
export const TEST_DATABASE_ADMIN_URL_ENV = 'TEST_DATABASE_ADMIN_URL';

/** The admin URL used when neither the option nor the environment gives one. */
export const DEFAULT_TEST_DATABASE_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

/** A PostgreSQL database made for one test run, and the way to drop it. */
export interface ThrowawayDatabase {
  /** The database's name: `ndl_test_` and random hex. */
  readonly name: string;
  /** A connection string to it: the admin URL with its database replaced. */
  readonly url: string;
  /** Drops the database, ending its connections first; a second call does nothing more. */
  drop(): Promise<void>;
}

/**
 * Creates an empty database with a unique name on the server of `adminUrl` (a role allowed to
 * CREATE DATABASE), for one application's tests. The name is generated, never taken from input.
 *
 * @throws DatabaseConfigurationException when `adminUrl` is not a `postgresql://` URL; the
 * library's exception of the failure (ConnectionException, PermissionException) otherwise.
 */
export async function createThrowawayDatabase(adminUrl: string): Promise<ThrowawayDatabase> {
  const url = databaseUrl(adminUrl);
  const name = `ndl_test_${randomBytes(6).toString('hex')}`;
  await asAdmin(adminUrl, `CREATE DATABASE "${name}"`);
  url.pathname = `/${name}`;
  let dropping: Promise<void> | undefined;
  return {
    name,
    url: url.toString(),
    drop: () => (dropping ??= asAdmin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

function databaseUrl(adminUrl: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(adminUrl);
  } catch {
    url = undefined;
  }
  if (url === undefined || !/^postgres(ql)?:$/.test(url.protocol)) {
    // The URL itself is not repeated: it may carry a password.
    throw new DatabaseConfigurationException([
      `The test database admin URL (adminUrl or ${TEST_DATABASE_ADMIN_URL_ENV}) must be a postgresql:// URL`,
    ]);
  }
  return url;
}

/** Runs one statement on a connection of its own to the admin database. */
async function asAdmin(adminUrl: string, statement: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  try {
    await client.connect();
    await client.query(statement);
  } catch (error) {
    throw mapPostgresError(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}
