/* global require, process */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script run by node */
// A child process for the SQLite crash test: writes through the library as fast as it can and
// prints one line per committed write ("ack <email>" or "ack-tx <email> <email>") only after the
// write's promise resolved. The parent kills it with SIGKILL at a random moment.
'use strict';
const { join } = require('node:path');

const [libraryDir, file, synchronous, prefix] = process.argv.slice(2);
const { SQLiteAdapter } = require(join(libraryDir, 'adapters', 'sqlite'));
const { usersTable } = require(join(libraryDir, 'schema'));

// The adapter directly, not the repositories: it keeps the child's start-up short.
function user(email) {
  return {
    email,
    firstName: 'Crash',
    lastName: 'Test',
    role: 'User',
    status: 'Active',
    emailVerified: false,
  };
}

async function main() {
  const adapter = await SQLiteAdapter.open({ path: file, migrate: false, synchronous });
  for (let i = 0; ; i++) {
    if (i % 3 === 2) {
      const a = `${prefix}-${i}-a@example.com`;
      const b = `${prefix}-${i}-b@example.com`;
      await adapter.transaction(async () => {
        await adapter.create(user(a), usersTable);
        await adapter.create(user(b), usersTable);
      });
      process.stdout.write(`ack-tx ${a} ${b}\n`);
    } else {
      const email = `${prefix}-${i}@example.com`;
      await adapter.create(user(email), usersTable);
      process.stdout.write(`ack ${email}\n`);
    }
  }
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack}\n`);
  process.exitCode = 1;
});
