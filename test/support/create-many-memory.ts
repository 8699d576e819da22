/**
 * Child-process probe for the createMany memory test: stores `rows` users through the SQLite
 * adapter (in memory, migrated) and prints the heap growth, measured after a full GC with the
 * returned entities still held, and the process's peak RSS. Run with `--expose-gc`.
 */
import { SQLiteAdapter } from '../../src/adapters/sqlite';
import { UserRole, UserStatus } from '../../src/entities/user.entity';
import { usersTable } from '../../src/schema';

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 100_000);
  const gc = (globalThis as { gc?: () => void }).gc!;
  const adapter = await SQLiteAdapter.open({ path: ':memory:', migrate: true });
  const input = Array.from({ length: rows }, (_, i) => ({
    email: `u${i}@memory.test`,
    firstName: 'Ada',
    lastName: 'Lovelace',
    role: UserRole.User,
    status: UserStatus.Active,
    emailVerified: false,
  }));
  gc();
  const before = process.memoryUsage().heapUsed;
  const created = await adapter.createMany(input, usersTable);
  const beforeGc = process.memoryUsage().heapUsed - before;
  gc();
  const growth = process.memoryUsage().heapUsed - before;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ rows: created.length, before, growth, beforeGc, peakRss }));
  await adapter.close();
}

void main();
