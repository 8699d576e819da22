import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * createMany of 100,000 rows stays within 100 MB of heap growth. Measured in a child process of
 * its own (no Jest heap around it): the child runs with a heap capped at its baseline (about
 * 50 MB: Node, the library, the input rows) plus 100 MB and some slack, so a batch that held more
 * at its peak would die of an out-of-memory error; what the returned entities keep after a full
 * GC is checked too. Not timed.
 */
describe('createMany memory', () => {
  it('stores 100,000 rows with a bounded heap', () => {
    const probe = join(__dirname, '../support/create-many-memory.ts');
    const output = execFileSync(
      process.execPath,
      [
        '--expose-gc',
        '--max-old-space-size=170',
        '-r',
        'ts-node/register/transpile-only',
        probe,
        '100000',
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    const { rows, before, growth } = JSON.parse(output) as Record<string, number>;
    expect(rows).toBe(100_000);
    expect(before).toBeLessThan(70 * 2 ** 20);
    expect(growth).toBeLessThan(100 * 2 ** 20);
  }, 150_000);
});
