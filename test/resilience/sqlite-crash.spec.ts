import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SQLiteAdapter } from '../../src/adapters/sqlite';
import { usersTable } from '../../src/schema';
import { childEnv, transpileLibrary } from './support/transpile-library';

const ROUNDS = 24;
const WRITER = join(__dirname, 'support', 'crash-writer.js');

interface RoundResult {
  acknowledged: string[];
  pairs: Array<[string, string]>;
  stderr: string;
  signal: NodeJS.Signals | null;
}

/** Runs the writer until its first acknowledgement, lets it write a random while, then SIGKILLs it. */
function crashRound(
  libraryDir: string,
  file: string,
  synchronous: string,
  prefix: string,
): Promise<RoundResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, libraryDir, file, synchronous, prefix], {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const result: RoundResult = { acknowledged: [], pairs: [], stderr: '', signal: null };
    let buffered = '';
    let killTimer: NodeJS.Timeout | undefined;
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [kind, a, b] = line.split(' ');
        if (kind === 'ack') result.acknowledged.push(a);
        if (kind === 'ack-tx') {
          result.acknowledged.push(a, b);
          result.pairs.push([a, b]);
        }
      }
      killTimer ??= setTimeout(() => child.kill('SIGKILL'), Math.random() * 120);
    });
    child.stderr.on('data', (chunk: Buffer) => (result.stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(guard);
      if (killTimer) clearTimeout(killTimer);
      result.signal = signal;
      resolve(result);
    });
  });
}

describe('SQLite crash safety: a writer killed with SIGKILL at random moments', () => {
  let dir: string;
  let libraryDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ndl-crash-'));
    libraryDir = await transpileLibrary();
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(libraryDir, { recursive: true, force: true });
  });

  it(`keeps every acknowledged write and an intact file over ${ROUNDS} kills (synchronous NORMAL and FULL)`, async () => {
    const file = join(dir, 'crash.sqlite');
    await (await SQLiteAdapter.open({ path: file, migrate: true })).close();
    const acknowledged: string[] = [];
    const pairs: Array<[string, string]> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const synchronous = round % 2 === 0 ? 'NORMAL' : 'FULL';
      const result = await crashRound(libraryDir, file, synchronous, `r${round}`);
      expect({ round, stderr: result.stderr, signal: result.signal }).toEqual({
        round,
        stderr: '',
        signal: 'SIGKILL',
      });
      expect(result.acknowledged.length).toBeGreaterThan(0);
      acknowledged.push(...result.acknowledged);
      pairs.push(...result.pairs);

      // The file is intact, checked before the library touches it again...
      const raw = new Database(file);
      try {
        expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
        const stored = new Set(raw.prepare('SELECT email FROM users').pluck().all() as string[]);
        const lost = acknowledged.filter((email) => !stored.has(email));
        expect({ round, lost }).toEqual({ round, lost: [] });
        // ...and a transaction is all or nothing: never one row of a pair without the other.
        const torn = pairs.filter(([a, b]) => stored.has(a) !== stored.has(b));
        expect(torn).toEqual([]);
      } finally {
        raw.close();
      }
    }
    // The library reopens the file after the last crash and sees every acknowledged row.
    const adapter = await SQLiteAdapter.open({ path: file, migrate: true });
    try {
      const counted = await adapter.count({ email: acknowledged.slice(0, 5_000) }, usersTable);
      expect(counted).toBe(Math.min(5_000, acknowledged.length));
    } finally {
      await adapter.close();
    }
  }, 120_000);
});
