/* global require, process, setTimeout */
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script run by node */
// A webhook worker in a process of its own, for the multi-process inbox test: it claims events
// with leases and processes each in one transaction that writes its side effect (a row of
// inbox_effects) and marks the event processed as its holder. It prints "claimed <id>…" after each
// claim and "done <id>" after each commit. A worker started with crashAt = n kills itself with
// SIGKILL in its n-th batch, inside the second event's transaction after the effect was written:
// it dies holding the leases of the rest of that batch.
'use strict';
const { join } = require('node:path');

const [libraryDir, url, workerId, leaseMs, crashAt] = process.argv.slice(2);
const { PostgresAdapter } = require(join(libraryDir, 'adapters', 'postgres'));
const { LeaseLostException } = require(join(libraryDir, 'exceptions'));
const { WebhookRepository } = require(join(libraryDir, 'repositories'));
const { defineTable } = require(join(libraryDir, 'schema'));

const effects = defineTable({
  name: 'inbox_effects',
  softDelete: false,
  columns: { eventId: { type: 'uuid' }, workerId: { type: 'string' } },
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function main() {
  const adapter = await PostgresAdapter.open({
    connectionString: url,
    migrate: false,
    pool: { max: 2 },
  });
  const webhooks = new WebhookRepository(adapter);
  const deadline = Date.now() + 60_000;
  for (let batch = 1; Date.now() < deadline; batch++) {
    const events = await webhooks.claimRetryable(workerId, { leaseMs: Number(leaseMs), limit: 5 });
    if (events.length === 0) {
      // Others may still hold leases that will end: stop only once nothing is left.
      if ((await webhooks.count({ processed: false })) === 0) break;
      await sleep(50);
      continue;
    }
    process.stdout.write(`claimed ${events.map((e) => e.id).join(' ')}\n`);
    for (const [index, event] of events.entries()) {
      try {
        await adapter.transaction(async () => {
          await adapter.create({ eventId: event.id, workerId }, effects);
          if (String(batch) === crashAt && index === 1) process.kill(process.pid, 'SIGKILL');
          await webhooks.markProcessed(event.id, workerId);
        });
        process.stdout.write(`done ${event.id}\n`);
      } catch (error) {
        // Its lease ended and another worker has the event: the effect was rolled back.
        if (!(error instanceof LeaseLostException)) throw error;
        process.stdout.write(`lost ${event.id}\n`);
      }
    }
  }
  await adapter.close();
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack}\n`);
  process.exitCode = 1;
});
