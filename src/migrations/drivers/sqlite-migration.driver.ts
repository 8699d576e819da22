import type { Database, Statement } from 'better-sqlite3';
import type {
  AppliedMigration,
  MigrationDriver,
  MigrationRecord,
  MigrationSession,
  MigrationSessionOptions,
} from '../migration-driver.interface';

/**
 * A migration whose first statement (after comments) is this runs with foreign key enforcement
 * off, as SQLite's table rebuild procedure asks (https://www.sqlite.org/lang_altertable.html):
 * the pragma does nothing inside a transaction, so the driver applies it before BEGIN.
 */
const FOREIGN_KEYS_OFF =
  /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*PRAGMA\s+foreign_keys\s*=\s*(?:OFF|0|FALSE|NO)\s*;/i;

interface ForeignKeyViolation {
  table: string;
  rowid: number | null;
  parent: string;
}

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
 * A migration that starts with `PRAGMA foreign_keys = OFF;` runs with foreign keys off (set before
 * its transaction, back as they were after); `PRAGMA foreign_key_check` must then find no row
 * without its parent before it commits.
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
    return this.inTransaction(sql, (statements) => {
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
    return this.inTransaction(sql, (statements) => {
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
    sql: string,
    work: (statements: NonNullable<SqliteMigrationSession['statements']>) => boolean,
  ): boolean {
    if (!FOREIGN_KEYS_OFF.test(sql)) return this.transaction(work, false);
    const enabled = this.db.pragma('foreign_keys', { simple: true }) === 1;
    this.db.pragma('foreign_keys = OFF');
    try {
      return this.transaction(work, enabled);
    } finally {
      if (enabled) this.db.pragma('foreign_keys = ON');
    }
  }

  private transaction(
    work: (statements: NonNullable<SqliteMigrationSession['statements']>) => boolean,
    checkForeignKeys: boolean,
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
      if (changed && checkForeignKeys) this.checkForeignKeys();
      this.db.exec(changed ? 'COMMIT' : 'ROLLBACK');
      return changed;
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Throws when a row names a parent that is not there (the migration is then rolled back). */
  private checkForeignKeys(): void {
    const violations = this.db.pragma('foreign_key_check') as ForeignKeyViolation[];
    if (violations.length === 0) return;
    const [first] = violations;
    throw new Error(
      `${violations.length} row(s) would be left without their parent, such as ${first.table} ` +
        `rowid ${first.rowid ?? '?'} (parent table ${first.parent}); PRAGMA foreign_key_check lists them`,
    );
  }
}
