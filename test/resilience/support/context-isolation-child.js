/* global require, process, setInterval, setTimeout, clearInterval */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script run by node */
// A child process for async-context-isolation.spec.ts: plain node, no test runner, so nothing has
// started tracking promise contexts before the library does. Prints the stored emails as JSON.
const { join } = require('node:path');

const [libraryDir, migrationsDirectory] = process.argv.slice(2);
const { SQLiteAdapter } = require(join(libraryDir, 'adapters', 'sqlite'));
const { usersTable } = require(join(libraryDir, 'schema'));
const { UserRole, UserStatus } = require(join(libraryDir, 'entities'));
const { withResilience } = require(join(libraryDir, 'resilience'));
const resilient = process.argv[4] === 'resilient';

const user = (email) => ({
  email,
  firstName: 'Ada',
  lastName: 'Lovelace',
  passwordHash: null,
  role: UserRole.User,
  status: UserStatus.Active,
  emailVerified: false,
  phone: null,
  avatarUrl: null,
  stripeCustomerId: null,
  lastLogin: null,
});

// The library's transaction timer does not keep a process alive; this one does, as a server would.
const keepAlive = setInterval(() => undefined, 1000);

(async () => {
  const sqlite = await SQLiteAdapter.open({
    path: ':memory:',
    migrationsDirectory,
    transactionTimeoutMs: 200,
  });
  const adapter = resilient ? withResilience(sqlite) : sqlite;
  // A flow of its own begins a transaction and forgets it.
  await (async () => {
    await Promise.resolve();
    await adapter.beginTransaction();
    await adapter.create(user('forgotten@x.io'), usersTable);
  })();
  // The caller's own write must not join that transaction: it waits for it to time out instead.
  await adapter.create(user('caller@x.io'), usersTable);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const emails = (await adapter.findMany({}, usersTable)).map((u) => u.email);
  process.stdout.write(`\nRESULT ${JSON.stringify(emails)}\n`);
  await adapter.close();
  clearInterval(keepAlive);
})().catch((error) => {
  process.stderr.write(String(error && error.stack));
  process.exit(1);
});
