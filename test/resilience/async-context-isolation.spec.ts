import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { childEnv, transpileLibrary } from './support/transpile-library';

const run = promisify(execFile);
const CHILD = join(__dirname, 'support', 'context-isolation-child.js');
const MIGRATIONS = join(__dirname, '..', '..', 'migrations', 'sqlite');

/**
 * Jest has tracked promise contexts long before a test runs, which hides what a fresh process
 * shows: on Node 20 an AsyncLocalStorage's first use could carry a transaction begun in one flow
 * back into the flow that awaited it. This runs the library in a plain child process.
 */
describe('async context isolation in a fresh process', () => {
  let libraryDir: string;

  beforeAll(async () => {
    libraryDir = await transpileLibrary();
  }, 60_000);

  afterAll(() => rm(libraryDir, { recursive: true, force: true }));

  it.each(['bare', 'resilient'])(
    'never runs the caller of a flow that began a transaction inside it (%s)',
    async (kind) => {
      const { stdout } = await run(process.execPath, [CHILD, libraryDir, MIGRATIONS, kind], {
        env: childEnv(),
      });
      // The library logs the timeout on stdout too; the child's answer is its RESULT line.
      const result = stdout.split('\n').find((line) => line.startsWith('RESULT '));
      expect(JSON.parse(result!.slice('RESULT '.length))).toEqual(['caller@x.io']);
    },
  );
});
