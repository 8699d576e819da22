import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { PostgresAdapter } from '../src/adapters/postgres';
import { UserRepository } from '../src/repositories/user.repository';
import type { BenchProfile } from './bench-profile';
import { measureMemoryRows, type MemoryRow } from './memory-probe';
import { drizzlePostgresOperations } from './drizzle.operations';
import { kyselyPostgresOperations } from './kysely.operations';
import { postgresRawOperations, seedPostgres } from './postgres-raw.operations';
import { searchText, seedRow, type UserRow } from './seed-data';
import { libraryOperations } from './user-operations';
import { runUserSuite, type OperationResult } from './user-suite';

/** The server the bench creates its database on. Default is local trust auth as `postgres`. */
export const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

/** What the PostgreSQL run measured, and on what. */
export interface PostgresBenchResult {
  results: OperationResult[];
  /** createMany of and iterate over `profile.memoryRows` rows, each in a process of its own. */
  memory: MemoryRow[];
  serverVersion: string;
  trigramIndexes: boolean;
}

/**
 * Checks that the server answers; the reason it does not otherwise, for the skip message.
 */
export async function postgresUnavailable(adminUrl: string): Promise<string | undefined> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Benchmarks the library on PostgreSQL against node-postgres: a database created for the run
 * (migrated by the adapter, seeded with `unnest` inserts) and dropped afterwards. The library runs
 * twice side by side: unnamed statements, as raw parameterized queries are, and named ones.
 */
export async function benchPostgres(
  profile: BenchProfile,
  adminUrl: string,
  log: (message: string) => void,
): Promise<PostgresBenchResult> {
  const name = `ndl_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const connectionString = url.toString();
    const unnamed = await PostgresAdapter.open({
      connectionString,
      migrate: true,
      preparedStatements: 'unnamed',
    });
    const named = await PostgresAdapter.open({ connectionString, preparedStatements: 'named' });
    const client = new Client({ connectionString });
    await client.connect();
    // Each peer gets its own connection, as raw pg has its own: Drizzle a client (its named
    // statements live on it), Kysely a pool of one (what its PostgresDialect takes).
    const drizzleClient = new Client({ connectionString });
    await drizzleClient.connect();
    const kyselyPool = new Pool({ connectionString, max: 1 });
    // An idle connection the server ends (the database dropped WITH (FORCE) while one is still
    // closing) is an 'error' event: without a listener it would end the whole run.
    client.on('error', ignore);
    drizzleClient.on('error', ignore);
    kyselyPool.on('error', ignore);
    try {
      const started = Date.now();
      const rows: UserRow[] = Array.from({ length: profile.rows }, (_, i) => seedRow(i));
      await seedPostgres(client, rows);
      await client.query('VACUUM ANALYZE users');
      log(`PostgreSQL: seeded ${profile.rows} users in ${Date.now() - started} ms`);
      const before = rows[profile.deepOffset - 1];
      const position = {
        offset: profile.deepOffset,
        afterCreatedAt: before[7],
        afterId: before[0],
      };
      const results = await runUserSuite({
        raw: postgresRawOperations(client),
        library: libraryOperations(new UserRepository(unnamed), position),
        named: libraryOperations(new UserRepository(named), position),
        drizzle: drizzlePostgresOperations(drizzleClient),
        kysely: kyselyPostgresOperations(kyselyPool),
        ids: rows.map((row) => row[0]),
        seeded: profile.rows,
        position,
        batchSize: profile.batchSize,
        settings: profile.settings,
        batchSettings: profile.batchSettings,
        searchText: (i) => searchText(i, profile.rows),
        log,
      });
      const version = await client.query<{ server_version: string }>('SHOW server_version');
      const trigram = await client.query(
        `SELECT 1 FROM pg_indexes WHERE tablename = 'users' AND indexname = 'users_email_trgm_idx'`,
      );
      const memory = measureMemoryRows('PostgreSQL', connectionString, profile.memoryRows, log);
      return {
        memory,
        results,
        serverVersion: version.rows[0].server_version,
        trigramIndexes: trigram.rows.length > 0,
      };
    } finally {
      await client.end();
      await drizzleClient.end();
      await kyselyPool.end();
      await named.close();
      await unnamed.close();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

/** Drops an error event of a connection the run no longer needs (see its use). */
function ignore(): void {}
