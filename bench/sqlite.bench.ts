import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SQLiteAdapter } from '../src/adapters/sqlite';
import { UserRepository } from '../src/repositories/user.repository';
import type { BenchProfile } from './bench-profile';
import { measureMemoryRows, type MemoryRow } from './memory-probe';
import { drizzleSqliteOperations } from './drizzle.operations';
import { kyselySqliteOperations } from './kysely.operations';
import { searchText, seedRow, type UserRow } from './seed-data';
import { seedSqlite, sqliteRawOperations } from './sqlite-raw.operations';
import { libraryOperations } from './user-operations';
import { runUserSuite, type OperationResult } from './user-suite';

/** What the SQLite run measured, and on what. */
export interface SqliteBenchResult {
  results: OperationResult[];
  /** createMany of and iterate over `profile.memoryRows` rows, each in a process of its own. */
  memory: MemoryRow[];
  sqliteVersion: string;
  indexedSearch: boolean;
}

/**
 * Benchmarks the library on SQLite against better-sqlite3 on the same connection: a fresh file in
 * the OS temp directory, migrated by the adapter, seeded with raw inserts, removed afterwards.
 */
export async function benchSqlite(
  profile: BenchProfile,
  log: (message: string) => void,
): Promise<SqliteBenchResult> {
  const directory = mkdtempSync(join(tmpdir(), 'ndl-bench-'));
  const adapter = await SQLiteAdapter.open({
    path: join(directory, 'bench.sqlite'),
    migrate: true,
  });
  try {
    const db = adapter.connection;
    const started = Date.now();
    const rows: UserRow[] = Array.from({ length: profile.rows }, (_, i) => seedRow(i));
    seedSqlite(db, rows);
    db.exec('ANALYZE');
    // Moves the seed out of the WAL, as a long-running database would have it.
    db.pragma('wal_checkpoint(TRUNCATE)');
    log(`SQLite: seeded ${profile.rows} users in ${Date.now() - started} ms`);
    const raw = sqliteRawOperations(db);
    const before = rows[profile.deepOffset - 1];
    const position = {
      offset: profile.deepOffset,
      afterCreatedAt: before[7],
      afterId: before[0],
    };
    const results = await runUserSuite({
      raw,
      library: libraryOperations(new UserRepository(adapter), position),
      drizzle: drizzleSqliteOperations(db),
      kysely: kyselySqliteOperations(db),
      ids: rows.map((row) => row[0]),
      seeded: profile.rows,
      position,
      batchSize: profile.batchSize,
      settings: profile.settings,
      batchSettings: profile.batchSettings,
      searchText: (i) => searchText(i, profile.rows),
      log,
    });
    const sqliteVersion = db.prepare('SELECT sqlite_version()').pluck().get() as string;
    const memory = measureMemoryRows('SQLite', 'sqlite', profile.memoryRows, log);
    return { results, sqliteVersion, indexedSearch: raw.indexedSearch, memory };
  } finally {
    await adapter.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
