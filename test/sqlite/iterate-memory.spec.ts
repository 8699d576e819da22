import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, transpileLibrary } from '../resilience/support/transpile-library';

const SCRIPT = join(__dirname, 'support', 'iterate-memory.js');
const MIGRATIONS = join(__dirname, '..', '..', 'migrations', 'sqlite');

/** What the child printed: rows seen, the heap's largest growth in bytes, and the order check. */
interface MemoryRun {
  rows: number;
  growth: number;
  ordered: boolean;
}

/** Runs the script in a `node --expose-gc` of its own, so each measure follows a full collection. */
function runScript(libraryDir: string, file: string): Promise<MemoryRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', SCRIPT, libraryDir, file, MIGRATIONS], {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the script failed (${code}): ${stderr}`));
      else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as MemoryRun);
    });
  });
}

describe('iterate on SQLite: bounded memory', () => {
  let dir: string;
  let libraryDir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ndl-iterate-'));
    libraryDir = await transpileLibrary();
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(libraryDir, { recursive: true, force: true });
  });

  it('streams 100k rows of 1 kB while the heap grows by far less than the rows take', async () => {
    const run = await runScript(libraryDir, join(dir, 'stream.sqlite'));
    expect(run.rows).toBe(100_000);
    expect(run.ordered).toBe(true);
    // Holding every row would take over 100 MB; one batch of 100 rows takes about 100 kB.
    expect(run.growth).toBeLessThan(30 * 1024 * 1024);
  }, 120_000);
});
