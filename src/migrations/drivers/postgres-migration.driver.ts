import type { Pool, PoolClient } from 'pg';
import type {
  AppliedMigration,
  MigrationDriver,
  MigrationRecord,
  MigrationSession,
  MigrationSessionOptions,
} from '../migration-driver.interface';

/**
 * The advisory lock key every runner of this library takes on a database: a fixed 64-bit number
 * (ASCII "ndl-migr"), so two instances starting at once migrate one after the other.
 */
export const MIGRATION_LOCK_KEY = '7954601784208090994';

interface HistoryRow {
  version: string;
  name: string;
  checksum: string;
  applied_at: Date;
}

/**
 * Runs migrations on PostgreSQL through a `pg` pool. A session checks out one dedicated client and,
 * when exclusive, holds `pg_advisory_lock` on it until released; every migration then runs on that
 * same client in its own transaction. Advisory locks belong to a server connection, so the URL must
 * be a direct or session-mode one, never a transaction-mode pooler (Supabase port 6543).
 * The pool is the caller's: the driver only returns the client it borrowed.
 */
export class PostgresMigrationDriver implements MigrationDriver {
  readonly dialect = 'postgres' as const;

  constructor(private readonly pool: Pool) {}

  async openSession(options: MigrationSessionOptions): Promise<MigrationSession> {
    const client = await this.pool.connect();
    if (options.exclusive) {
      try {
        await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);
      } catch (error) {
        client.release(asError(error));
        throw error;
      }
    }
    return new PostgresMigrationSession(client, options.exclusive);
  }
}

class PostgresMigrationSession implements MigrationSession {
  private released = false;

  constructor(
    private readonly client: PoolClient,
    private readonly locked: boolean,
  ) {}

  async ensureHistoryTable(): Promise<void> {
    // RLS with no policy: on Supabase, anon and authenticated get default grants on new public
    // tables, and the history is no business of theirs.
    await this.client.query(`
      CREATE TABLE IF NOT EXISTS schema_migrations (
        version bigint PRIMARY KEY,
        name text NOT NULL,
        checksum text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      );
      ALTER TABLE schema_migrations ENABLE ROW LEVEL SECURITY;
    `);
  }

  async listApplied(): Promise<AppliedMigration[]> {
    const exists = await this.client.query<{ present: boolean }>(
      "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
    );
    if (!exists.rows[0].present) return [];
    const { rows } = await this.client.query<HistoryRow>(
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
    return this.inTransaction(async () => {
      if (await this.isRecorded(migration.version)) return false;
      // No parameters: the simple query protocol, which runs a file of several statements.
      await this.client.query(sql);
      await this.client.query(
        'INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [migration.version, migration.name, migration.checksum],
      );
      return true;
    });
  }

  async applyDown(migration: MigrationRecord, sql: string): Promise<boolean> {
    return this.inTransaction(async () => {
      if (!(await this.isRecorded(migration.version))) return false;
      await this.client.query(sql);
      await this.client.query('DELETE FROM schema_migrations WHERE version = $1', [
        migration.version,
      ]);
      return true;
    });
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      if (this.locked) {
        await this.client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
      }
      this.client.release();
    } catch (error) {
      // A connection that cannot unlock is discarded: closing it frees the lock server-side.
      this.client.release(asError(error));
      throw error;
    }
  }

  private async isRecorded(version: number): Promise<boolean> {
    const { rowCount } = await this.client.query(
      'SELECT 1 FROM schema_migrations WHERE version = $1',
      [version],
    );
    return (rowCount ?? 0) > 0;
  }

  private async inTransaction(work: () => Promise<boolean>): Promise<boolean> {
    await this.client.query('BEGIN');
    try {
      const changed = await work();
      await this.client.query(changed ? 'COMMIT' : 'ROLLBACK');
      return changed;
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
