import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The compile-time expectations in test/types/*.types.ts (`// @ts-expect-error` cases and typed
 * assignments) hold only if they are type-checked; ts-jest here runs with isolatedModules, so this
 * runs the compiler on them.
 */
it('type-checks the compile-time expectations of test/types', () => {
  const root = resolve(__dirname, '../..');
  expect(() =>
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'test/types/tsconfig.json'],
      {
        cwd: root,
        stdio: 'pipe',
      },
    ),
  ).not.toThrow();
}, 120_000);
