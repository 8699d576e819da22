import type { Pool, PoolClient } from 'pg';
import { durationProblem } from '../../config/duration-option';
import type {
  AppliedMigration,
  MigrationDriver,
  MigrationRecord,
  MigrationSession,
  MigrationSessionOptions,
} from '../migration-driver.interface';
import { MigrationException } from '../migration.exception';
import {
  describeLockHolder,
  findLockHolder,
  type MigrationLockHolder,
} from './postgres-lock-holder';

/**
 * The advisory lock key every runner of this library takes on a database: a fixed 64-bit number
 * (ASCII "ndl-migr"), so two instances starting at once migrate one after the other.
 */
export const MIGRATION_LOCK_KEY = '7954601784208090994';

/** How long one wait for the migration lock may last by default: 5 minutes. */
export const DEFAULT_MIGRATION_LOCK_TIMEOUT_MS = 300_000;

/** Options of {@link PostgresMigrationDriver}. */
export interface PostgresMigrationDriverOptions {
  /**
   * How long one wait for the migration lock may last before the run fails with a
   * MigrationException (`MIGRATION_LOCK_TIMEOUT`) naming the holder, in milliseconds; `0` waits
   * without limit. Default is 300000 (5 minutes).
   */
  lockTimeoutMs?: number;
  /** Receives the line saying the run waits for the lock, and who holds it. Default discards it. */
  log?: (line: string) => void;
}

interface HistoryRow {
  version: string;
  name: string;
  checksum: string;
  applied_at: Date;
}

/**
 * Opens every migration transaction: no statement or lock timeout of the application's or the
 * server's may cut a migration short, so its DDL waits for the locks it needs as long as it
 * takes, whatever else is configured. Only the wait for the migration lock has a limit, set
 * around that one statement.
 */
const BEGIN_MIGRATION = 'BEGIN; SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0';

/**
 * Runs migrations on PostgreSQL through a `pg` pool. Each step (creating the history table,
 * applying or reverting one migration) is one transaction that first takes
 * `pg_advisory_xact_lock` and then checks the history again, so a second instance waits, then
 * skips what the first applied. The lock is the transaction's, released by COMMIT or ROLLBACK:
 * it holds the same directly, through a session pooler and through a transaction pooler
 * (Supabase's port 6543, PgBouncer), and no idle connection keeps it afterwards.
 * The pool is the caller's: the driver only borrows clients.
 */
export class PostgresMigrationDriver implements MigrationDriver {
  readonly dialect = 'postgres' as const;
  private readonly lockTimeoutMs: number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly pool: Pool,
    options: PostgresMigrationDriverOptions = {},
  ) {
    const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_MIGRATION_LOCK_TIMEOUT_MS;
    const problem = durationProblem(lockTimeoutMs, 0);
    if (problem !== undefined) {
      throw new TypeError(`PostgresMigrationDriverOptions.lockTimeoutMs ${problem}`);
    }
    this.lockTimeoutMs = lockTimeoutMs;
    this.log = options.log ?? (() => undefined);
  }

  async openSession(options: MigrationSessionOptions): Promise<MigrationSession> {
    return new PostgresMigrationSession(this.pool, options.exclusive, this.lockTimeoutMs, this.log);
  }
}

class PostgresMigrationSession implements MigrationSession {
  /** The wait for the lock is logged once per session, however many steps wait. */
  private announced = false;

  constructor(
    private readonly pool: Pool,
    private readonly exclusive: boolean,
    private readonly lockTimeoutMs: number,
    private readonly log: (line: string) => void,
  ) {}

  async ensureHistoryTable(): Promise<void> {
    // Under the lock: two CREATE TABLE IF NOT EXISTS at once both try to create the row type.
    // RLS with no policy: on Supabase, anon and authenticated get default grants on new public
    // tables, and the history is no business of theirs.
    await this.step(async (client) => {
      await client.query(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version bigint PRIMARY KEY,
          name text NOT NULL,
          checksum text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        );
        ALTER TABLE schema_migrations ENABLE ROW LEVEL SECURITY;
      `);
      return true;
    });
  }

  async listApplied(): Promise<AppliedMigration[]> {
    const exists = await this.pool.query<{ present: boolean }>(
      "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
    );
    if (!exists.rows[0].present) return [];
    const { rows } = await this.pool.query<HistoryRow>(
      'SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version',
    );
    return rows.map((row) => ({
      version: Number(row.version),
      name: row.name,
      checksum: row.checksum,
      appliedAt: row.applied_at.toISOString(),
    }));
  }

  async applyUp(migration: MigrationRecord, sql: string): Promise<boolean> {
    return this.step(async (client) => {
      if (await isRecorded(client, migration.version)) return false;
      // No parameters: the simple query protocol, which runs a file of several statements.
      await client.query(sql);
      await client.query(
        'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [migration.version, migration.name, migration.checksum],
      );
      return true;
    });
  }

  async applyDown(migration: MigrationRecord, sql: string): Promise<boolean> {
    return this.step(async (client) => {
      if (!(await isRecorded(client, migration.version))) return false;
      await client.query(sql);
      await client.query('DELETE FROM schema_migrations WHERE version = $1', [migration.version]);
      return true;
    });
  }

  /** Nothing to release: every lock ended with its transaction. */
  async release(): Promise<void> {}

  /**
   * Runs `work` in one transaction on one borrowed client, under the migration lock when the
   * session is exclusive; commits when it reports a change, rolls back otherwise.
   */
  private async step(work: (client: PoolClient) => Promise<boolean>): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query(BEGIN_MIGRATION);
      if (this.exclusive) await this.lock(client);
      const changed = await work(client);
      await client.query(changed ? 'COMMIT' : 'ROLLBACK');
      client.release();
      return changed;
    } catch (error) {
      // A connection that cannot roll back is discarded: closing it ends the transaction.
      const rolledBack = await client.query('ROLLBACK').then(
        () => true,
        () => false,
      );
      // `release(true)` destroys the client instead of returning it to the pool.
      client.release(!rolledBack);
      throw error;
    }
  }

  /** Takes the transaction's migration lock, waiting at most the lock timeout for its holder. */
  private async lock(client: PoolClient): Promise<void> {
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_xact_lock($1::bigint) AS locked',
      [MIGRATION_LOCK_KEY],
    );
    if (rows[0].locked) return;
    const holder = await findLockHolder(client, MIGRATION_LOCK_KEY);
    if (!this.announced) {
      this.announced = true;
      this.log(`waiting for the migration lock ${describeLockHolder(holder)}`);
    }
    // lock_timeout bounds the wait on the server, pooler or not; the value is our own integer.
    await client.query(`SET LOCAL lock_timeout = ${this.lockTimeoutMs}`);
    try {
      await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
    } catch (error) {
      if ((error as { code?: string }).code !== '55P03') throw error;
      throw lockTimeout(this.lockTimeoutMs, holder, error);
    }
    // The limit was for that wait only: the migration's own statements run without one.
    await client.query('SET LOCAL lock_timeout = 0');
  }
}

function lockTimeout(
  lockTimeoutMs: number,
  holder: MigrationLockHolder | undefined,
  cause: unknown,
): MigrationException {
  return new MigrationException(
    `Gave up after ${lockTimeoutMs} ms waiting for the migration lock ${describeLockHolder(holder)}: ` +
      'another instance is migrating this database, or a session kept the lock ' +
      '(see pg_stat_activity for that pid)',
    'MIGRATION_LOCK_TIMEOUT',
    { cause, details: { holderPid: holder?.pid, lockTimeoutMs } },
  );
}

async function isRecorded(client: PoolClient, version: number): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [
    version,
  ]);
  return (rowCount ?? 0) > 0;
}
