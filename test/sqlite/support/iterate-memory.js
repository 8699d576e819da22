/* global require, process, global, console */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script run by node */
// Streams 100k webhook events, each carrying a 1 kB payload, out of a SQLite file with iterate()
// and prints, as one JSON line, how many rows it saw and the most the heap grew over the heap
// before the loop, measured after a full collection (run with --expose-gc) every 5,000 rows.
// Holding every row would take more than 100 MB; holding one batch takes about 100 kB.
'use strict';
const { join } = require('node:path');

const [libraryDir, file, migrationsDirectory] = process.argv.slice(2);
const { SQLiteAdapter } = require(join(libraryDir, 'adapters', 'sqlite'));
const { webhookEventsTable } = require(join(libraryDir, 'schema'));

const ROWS = 100_000;

/** Inserts the rows in one statement, bypassing the library: the test is about reading. */
function seed(connection) {
  connection.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS})
    INSERT INTO webhook_events (id, stripe_event_id, event_type, processed, payload, retry_count,
      created_at, updated_at)
    SELECT printf('00000000-0000-4000-8000-%012d', i), 'evt_' || i, 'memory.test', 0,
      json_object('blob', printf('%.1000c', 'x')), 0,
      strftime('%Y-%m-%dT%H:%M:%fZ', 1700000000 + i / 3, 'unixepoch'),
      strftime('%Y-%m-%dT%H:%M:%fZ', 1700000000 + i / 3, 'unixepoch')
    FROM n`);
}

async function main() {
  const adapter = await SQLiteAdapter.open({ path: file, migrate: true, migrationsDirectory });
  try {
    seed(adapter.connection);
    global.gc();
    const before = process.memoryUsage().heapUsed;
    let rows = 0;
    let growth = 0;
    let lastId = '';
    let lastCreated = '';
    let ordered = true;
    const options = { filters: { eventType: 'memory.test' } };
    for await (const event of adapter.iterate(options, webhookEventsTable, { batchSize: 100 })) {
      rows += 1;
      if (event.payload.blob.length !== 1000) throw new Error('the payload did not come back');
      // Several rows share each createdAt: ids must still come in order within it.
      if (event.id <= lastId && event.createdAt === lastCreated) ordered = false;
      lastId = event.id;
      lastCreated = event.createdAt;
      if (rows % 5_000 === 0) {
        global.gc();
        growth = Math.max(growth, process.memoryUsage().heapUsed - before);
      }
    }
    console.log(JSON.stringify({ rows, growth, ordered }));
  } finally {
    await adapter.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
