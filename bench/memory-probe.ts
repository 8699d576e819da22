import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresAdapter } from '../src/adapters/postgres';
import { SQLiteAdapter } from '../src/adapters/sqlite';
import type { IDatabaseAdapter } from '../src/adapters/database-adapter.interface';
import { UserRepository } from '../src/repositories/user.repository';
import { newUserInput, seedRow } from './seed-data';
import { seedSqlite } from './sqlite-raw.operations';

/** What one call over many rows cost in memory, measured in a process of its own. */
export interface MemoryResult {
  rows: number;
  /** RSS before the call, with the input built. */
  rssBefore: number;
  /** The process's peak RSS. */
  peakRss: number;
  /**
   * createMany: heap kept after the call and a full GC (the returned entities are still held).
   * iterate: the largest heap growth seen while iterating (sampled every 1,000 rows, garbage not
   * yet collected included, so an upper bound of what the loop holds).
   */
  heapGrowth: number;
}

/** The calls measured: one createMany of all the rows, or a for-await over as many. */
export type MemoryProbe = 'createMany' | 'iterate';

/**
 * Runs the probe below in a child process (`--expose-gc`), so the bench's own heap and the
 * other rows' allocations do not blur it. `target` is 'sqlite' or a PostgreSQL URL whose
 * database has the library's tables (and, for iterate, at least `rows` users).
 */
export function measureMemory(kind: MemoryProbe, target: string, rows: number): MemoryResult {
  const output = execFileSync(
    process.execPath,
    ['--expose-gc', __filename, kind, target, String(rows)],
    { encoding: 'utf8', timeout: 600_000 },
  );
  return JSON.parse(output) as MemoryResult;
}

/** One memory row: which call, on which provider, what it cost. */
export interface MemoryRow {
  kind: MemoryProbe;
  title: string;
  memory: MemoryResult;
}

/**
 * Both memory rows of a provider, each in a process of its own: createMany of `rows` users, then
 * iterate over `rows` users (on PostgreSQL, over the bench's seeded ones).
 */
export function measureMemoryRows(
  title: string,
  target: string,
  rows: number,
  log: (message: string) => void,
): MemoryRow[] {
  return (['createMany', 'iterate'] as const).map((kind) => {
    log(`${title}: ${kind} of ${rows} rows in a process of its own`);
    return { kind, title, memory: measureMemory(kind, target, rows) };
  });
}

const gc = (): void => (globalThis as { gc?: () => void }).gc!();

async function probe(kind: MemoryProbe, target: string, rows: number): Promise<void> {
  const directory = target === 'sqlite' ? mkdtempSync(join(tmpdir(), 'ndl-memory-')) : undefined;
  const adapter: IDatabaseAdapter & { close(): Promise<void> } = directory
    ? await SQLiteAdapter.open({ path: join(directory, 'memory.sqlite'), migrate: true })
    : await PostgresAdapter.open({ connectionString: target });
  try {
    const users = new UserRepository(adapter);
    if (kind === 'iterate' && adapter instanceof SQLiteAdapter) {
      seedSqlite(
        adapter.connection,
        Array.from({ length: rows }, (_, i) => seedRow(i)),
      );
    }
    const result = await (kind === 'iterate' ? iterateProbe : createManyProbe)(users, rows);
    process.stdout.write(JSON.stringify(result));
  } finally {
    await adapter.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  }
}

async function createManyProbe(users: UserRepository, rows: number): Promise<MemoryResult> {
  const input = Array.from({ length: rows }, (_, i) => newUserInput(2_000_000_000 + i));
  gc();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const created = await users.createMany(input);
  gc();
  return {
    rows: created.length,
    rssBefore,
    peakRss: process.resourceUsage().maxRSS * 1024,
    heapGrowth: process.memoryUsage().heapUsed - heapBefore,
  };
}

/** Reads `rows` users with `iterate` in its default batches, holding none of them. */
async function iterateProbe(users: UserRepository, rows: number): Promise<MemoryResult> {
  gc();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  let seen = 0;
  let peakHeap = heapBefore;
  for await (const user of users.iterate()) {
    if (user.id === undefined) throw new Error('iterate gave a user without an id');
    if (++seen % 1_000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    if (seen === rows) break;
  }
  return {
    rows: seen,
    rssBefore,
    peakRss: process.resourceUsage().maxRSS * 1024,
    heapGrowth: peakHeap - heapBefore,
  };
}

if (require.main === module) {
  const [kind, target, rows] = process.argv.slice(2);
  probe(kind as MemoryProbe, target, Number(rows)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
