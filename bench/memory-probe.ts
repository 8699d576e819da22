import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresAdapter } from '../src/adapters/postgres';
import { SQLiteAdapter } from '../src/adapters/sqlite';
import type { IDatabaseAdapter } from '../src/adapters/database-adapter.interface';
import { UserRepository } from '../src/repositories/user.repository';
import { newUserInput } from './seed-data';

/** What one createMany of many rows cost in memory, measured in a process of its own. */
export interface MemoryResult {
  rows: number;
  /** RSS before the call, with the input built. */
  rssBefore: number;
  /** The process's peak RSS. */
  peakRss: number;
  /** Heap kept after the call and a full GC (the returned entities are still held). */
  heapGrowth: number;
}

/**
 * Runs the probe below in a child process (`--expose-gc`), so the bench's own heap and the
 * other rows' allocations do not blur it. `target` is 'sqlite' or a PostgreSQL URL whose
 * database has the library's tables.
 */
export function measureCreateManyMemory(target: string, rows: number): MemoryResult {
  const output = execFileSync(process.execPath, ['--expose-gc', __filename, target, String(rows)], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  return JSON.parse(output) as MemoryResult;
}

async function probe(target: string, rows: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc!;
  const directory = target === 'sqlite' ? mkdtempSync(join(tmpdir(), 'ndl-memory-')) : undefined;
  const adapter: IDatabaseAdapter & { close(): Promise<void> } = directory
    ? await SQLiteAdapter.open({ path: join(directory, 'memory.sqlite'), migrate: true })
    : await PostgresAdapter.open({ connectionString: target });
  try {
    const users = new UserRepository(adapter);
    const input = Array.from({ length: rows }, (_, i) => newUserInput(2_000_000_000 + i));
    gc();
    const rssBefore = process.memoryUsage().rss;
    const heapBefore = process.memoryUsage().heapUsed;
    const created = await users.createMany(input);
    gc();
    const result: MemoryResult = {
      rows: created.length,
      rssBefore,
      peakRss: process.resourceUsage().maxRSS * 1024,
      heapGrowth: process.memoryUsage().heapUsed - heapBefore,
    };
    process.stdout.write(JSON.stringify(result));
  } finally {
    await adapter.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  }
}

if (require.main === module) {
  probe(process.argv[2], Number(process.argv[3])).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  });
}
