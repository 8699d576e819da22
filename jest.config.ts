import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.test.ts'],
  // The new-user app template has its own tests, run by its own Jest inside test/e2e/new-user.e2e.spec.ts.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/new-user-app/'],
  modulePathIgnorePatterns: ['<rootDir>/test/e2e/new-user-app/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
  },
  setupFiles: ['reflect-metadata'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Each worker gets its own SQLite files and Postgres databases, so files run in parallel safely.
  maxWorkers: 2,
  testTimeout: 30_000,
};

export default config;
