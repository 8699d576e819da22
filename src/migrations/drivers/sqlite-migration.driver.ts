import type { Database, Statement } from 'better-sqlite3';
import type {
  AppliedMigration,
  MigrationDriver,
  MigrationRecord,
  MigrationSession,
  MigrationSessionOptions,
} from '../migration-driver.interface';

interface HistoryRow {
  version: number;
  name: string;
  checksum: string;
  applied_at: string;
}

/**
 * Runs migrations on a better-sqlite3 connection. Each migration runs in a `BEGIN IMMEDIATE`
 * transaction, which takes SQLite's write lock at once: another process migrating the same file
 * waits (up to the connection's busy timeout), then finds the version recorded and skips it. That
 * per-migration check replaces a session-long lock, which SQLite cannot hold across awaits.
 * The connection is the caller's: the driver never closes it.
 */
export class SqliteMigrationDriver implements MigrationDriver {
  readonly dialect = 'sqlite' as const;

  constructor(private readonly db: Database) {}

  // Exclusive or not, a session needs no lock of its own: see the class comment.
  async openSession(_options: MigrationSessionOptions): Promise<MigrationSession> {
    return new SqliteMigrationSession(this.db);
  }
}

class SqliteMigrationSession implements MigrationSession {
  private statements?: {
    exists: Statement<[number]>;
    insert: Statement<[number, string, string, string]>;
    remove: Statement<[number]>;
  };

  constructor(private readonly db: Database) {}

  async ensureHistoryTable(): Promise<void> {
    this.db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER NOT NULL PRIMARY KEY,
      name TEXT NOT NULL,
      checksum TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT`);
  }

  async listApplied(): Promise<AppliedMigration[]> {
    const table = this.db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
      .get();
    if (!table) return [];
    const rows = this.db
      .prepare<[], HistoryRow>(
        'SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version',
      )
      .all();
    return rows.map((row) => ({
      version: row.version,
      name: row.name,
      checksum: row.checksum,
      appliedAt: row.applied_at,
    }));
  }

  async applyUp(migration: MigrationRecord, sql: string): Promise<boolean> {
    return this.inTransaction((statements) => {
      if (statements.exists.get(migration.version)) return false;
      this.db.exec(sql);
      statements.insert.run(
        migration.version,
        migration.name,
        migration.checksum,
        new Date().toISOString(),
      );
      return true;
    });
  }

  async applyDown(migration: MigrationRecord, sql: string): Promise<boolean> {
    return this.inTransaction((statements) => {
      if (!statements.exists.get(migration.version)) return false;
      this.db.exec(sql);
      statements.remove.run(migration.version);
      return true;
    });
  }

  async release(): Promise<void> {
    this.statements = undefined;
  }

  private inTransaction(
    work: (statements: NonNullable<SqliteMigrationSession['statements']>) => boolean,
  ): boolean {
    // Prepared lazily: the history table exists only once ensureHistoryTable has run.
    this.statements ??= {
      exists: this.db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?'),
      insert: this.db.prepare(
        'INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)',
      ),
      remove: this.db.prepare('DELETE FROM schema_migrations WHERE version = ?'),
    };
    const statements = this.statements;
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const changed = work(statements);
      this.db.exec(changed ? 'COMMIT' : 'ROLLBACK');
      return changed;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }
}
