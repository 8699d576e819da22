import Database from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDatabaseAdapter } from '../../../src/adapters/database-adapter.interface';
import type { QueryEvent } from '../../../src/adapters/query-observer';
import { SQLiteAdapter } from '../../../src/adapters/sqlite';

/** A migrated SQLite file in its own temporary directory, with every adapter operation recorded. */
export interface SqliteTestDatabase {
  adapter: IDatabaseAdapter;
  /** Every operation the adapter reported, in order. */
  events: QueryEvent[];
  /** Runs `work` and returns the operations it made, so tests can count queries. */
  recordQueries(work: () => Promise<unknown>): Promise<QueryEvent[]>;
  close(): Promise<void>;
}

/**
 * Opens a fresh, migrated SQLite database file. `setupSql` runs first, on the bare file with
 * better-sqlite3: a library user's own tables, which the migrations do not cover.
 */
export async function openSqliteTestDatabase(setupSql?: string): Promise<SqliteTestDatabase> {
  const directory = await mkdtemp(join(tmpdir(), 'ndl-repositories-'));
  const path = join(directory, 'test.sqlite');
  if (setupSql) {
    const raw = new Database(path);
    try {
      raw.exec(setupSql);
    } finally {
      raw.close();
    }
  }
  const events: QueryEvent[] = [];
  const adapter = await SQLiteAdapter.open({
    path,
    migrate: true,
    observer: { onQuery: (event) => events.push(event) },
  });
  return {
    adapter,
    events,
    async recordQueries(work) {
      const start = events.length;
      await work();
      return events.slice(start);
    },
    async close() {
      await adapter.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Waits a few milliseconds so the next row gets a later createdAt than the previous one. */
export function nextMillisecond(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 3));
}
