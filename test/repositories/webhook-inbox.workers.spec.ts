import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Pool } from 'pg';
import { PostgresAdapter } from '../../src/adapters/postgres';
import { SQLiteAdapter } from '../../src/adapters/sqlite';
import { WebhookRepository } from '../../src/repositories/webhook.repository';
import { webhookEventsTable } from '../../src/schema';
import { childEnv, transpileLibrary } from '../resilience/support/transpile-library';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

const WORKER = join(__dirname, 'support', 'inbox-worker.js');
const EVENTS = 300;
const LEASE_MS = 1_000;

/** What one worker process did, from its output. */
interface WorkerRun {
  workerId: string;
  claimed: string[];
  done: string[];
  lost: string[];
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/** Runs the worker script to its end (or its own SIGKILL), collecting what it printed. */
function runWorker(
  libraryDir: string,
  url: string,
  workerId: string,
  crashAt = '',
  onFirstClaim: () => void = () => undefined,
): Promise<WorkerRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [WORKER, libraryDir, url, workerId, String(LEASE_MS), crashAt],
      { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const run: WorkerRun = {
      workerId,
      claimed: [],
      done: [],
      lost: [],
      signal: null,
      code: null,
      stderr: '',
    };
    const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [kind, ...ids] = line.split(' ');
      if (kind === 'claimed' && run.claimed.length === 0) onFirstClaim();
      if (kind === 'claimed' || kind === 'done' || kind === 'lost') run[kind].push(...ids);
    });
    child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ ...run, code, signal });
    });
  });
}

describeWithPostgres('Webhook inbox: workers in separate processes on PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;
  let libraryDir: string;

  beforeAll(async () => {
    database = await createTestDatabase('inbox_workers');
    await (await PostgresAdapter.open({ connectionString: database.url, migrate: true })).close();
    pool = new Pool({ connectionString: database.url, max: 2 });
    pool.on('error', () => undefined);
    await pool.query(`CREATE TABLE inbox_effects (
      id uuid PRIMARY KEY, event_id uuid NOT NULL, worker_id text NOT NULL,
      created_at timestamptz(3) NOT NULL, updated_at timestamptz(3) NOT NULL)`);
    libraryDir = await transpileLibrary();
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
    if (libraryDir) await rm(libraryDir, { recursive: true, force: true });
  });

  it(`processes each of ${EVENTS} events exactly once, re-claiming those of killed workers after their lease`, async () => {
    await pool.query(
      `INSERT INTO webhook_events (id, stripe_event_id, event_type, payload, created_at, updated_at)
       SELECT gen_random_uuid(), 'evt_workers_' || n, 'invoice.paid', '{}',
              now() + n * interval '1 millisecond', now()
         FROM generate_series(1, $1) AS n`,
      [EVENTS],
    );
    // The crashers start first, and the steady workers once both have claimed a batch: started
    // together, a slow-starting crasher could find the events gone before its crash batch (seen
    // on a fast run: it ended normally instead of dying with its leases).
    let claimedFirst = 0;
    let bothClaimed!: () => void;
    const crashersClaimed = new Promise<void>((resolve) => (bothClaimed = resolve));
    const onFirstClaim = () => {
      if (++claimedFirst === 2) bothClaimed();
    };
    const crashers = [
      runWorker(libraryDir, database.url, 'crasher-1', '1', onFirstClaim),
      runWorker(libraryDir, database.url, 'crasher-2', '2', onFirstClaim),
    ];
    await Promise.race([crashersClaimed, Promise.all(crashers)]);
    const runs = await Promise.all([
      runWorker(libraryDir, database.url, 'steady-1'),
      runWorker(libraryDir, database.url, 'steady-2'),
      runWorker(libraryDir, database.url, 'steady-3'),
      ...crashers,
    ]);
    for (const run of runs) {
      if (run.workerId.startsWith('crasher')) expect(run.signal).toBe('SIGKILL');
      else
        expect({ worker: run.workerId, code: run.code, stderr: run.stderr }).toMatchObject({
          code: 0,
          stderr: '',
        });
    }

    const { rows: effects } = await pool.query<{ event_id: string; worker_id: string }>(
      'SELECT event_id, worker_id FROM inbox_effects',
    );
    const { rows: events } = await pool.query<{ id: string; processed: boolean; locked_by: null }>(
      'SELECT id, processed, locked_by FROM webhook_events',
    );
    // Every event's effect committed exactly once, by the worker that marked it processed.
    expect(effects).toHaveLength(EVENTS);
    expect(new Set(effects.map((e) => e.event_id)).size).toBe(EVENTS);
    expect(events.every((e) => e.processed && e.locked_by === null)).toBe(true);
    const doneBy = new Map(runs.flatMap((run) => run.done.map((id) => [id, run.workerId])));
    for (const effect of effects) expect(doneBy.get(effect.event_id)).toBe(effect.worker_id);

    // The killed workers died holding leases; those events were taken over once the leases ended.
    const orphaned = runs
      .filter((run) => run.workerId.startsWith('crasher'))
      .flatMap((run) => run.claimed.filter((id) => !run.done.includes(id)));
    expect(orphaned.length).toBeGreaterThanOrEqual(2);
    for (const id of orphaned) expect(doneBy.get(id)).toMatch(/^steady-/);
  }, 120_000);
});

describeWithPostgres('Webhook inbox: two adapters over one PostgreSQL database', () => {
  let database: TestDatabase;
  let adapters: PostgresAdapter[];

  beforeAll(async () => {
    database = await createTestDatabase('inbox_adapters');
    const first = await PostgresAdapter.open({ connectionString: database.url, migrate: true });
    adapters = [first, await PostgresAdapter.open({ connectionString: database.url })];
  });

  afterAll(async () => {
    await Promise.all((adapters ?? []).map((a) => a.close()));
    await database?.drop();
  });

  it('hands every event to exactly one of many claimers spread over both', async () => {
    const created = await adapters[0].createMany(
      Array.from({ length: 200 }, (_, n) => ({
        stripeEventId: `evt_two_${n}`,
        eventType: 'invoice.paid',
        processed: false,
        payload: {},
        retryCount: 0,
      })),
      webhookEventsTable,
    );
    const claimer = async (index: number): Promise<string[]> => {
      const webhooks = new WebhookRepository(adapters[index % 2]);
      const mine: string[] = [];
      for (;;) {
        const batch = await webhooks.claimRetryable(`w${index}`, { limit: 4 });
        if (batch.length === 0) return mine;
        mine.push(...batch.map((e) => e.id));
      }
    };
    const claimed = (await Promise.all(Array.from({ length: 12 }, (_, i) => claimer(i)))).flat();
    expect(claimed.sort()).toEqual(created.map((e) => e.id).sort());
  });

  it('serves the claim from webhook_events_claim_idx when most events are processed', async () => {
    const statements: { text: string; params: readonly unknown[] }[] = [];
    const observed = await PostgresAdapter.open({
      connectionString: database.url,
      observer: {
        wantsStatements: true,
        onQuery: (e) => {
          if (e.operation === 'claim' && e.statement)
            statements.push({ text: e.statement, params: e.params ?? [] });
        },
      },
    });
    try {
      await observed.pool.query(
        `INSERT INTO webhook_events (id, stripe_event_id, event_type, processed, payload, created_at, updated_at)
         SELECT gen_random_uuid(), 'evt_plan_' || n, 'invoice.paid', n % 50 <> 0, '{}', now(), now()
           FROM generate_series(1, 20000) AS n`,
      );
      await observed.pool.query('ANALYZE webhook_events');
      await new WebhookRepository(observed).claimRetryable('planner', { limit: 5 });
      const [claim] = statements;
      const { rows } = await observed.pool.query(`EXPLAIN ${claim.text}`, [...claim.params]);
      expect(rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')).toMatch(
        /Index Scan using webhook_events_claim_idx/,
      );
    } finally {
      await observed.close();
    }
  });
});

describe('Webhook inbox: the claim index on SQLite', () => {
  it('serves the claim and findRetryable from webhook_events_claim_idx, with no sort', async () => {
    const statements: { operation: string; text: string; params: readonly unknown[] }[] = [];
    const adapter = await SQLiteAdapter.open({
      path: ':memory:',
      migrate: true,
      observer: {
        wantsStatements: true,
        onQuery: (e) => {
          if (e.statement)
            statements.push({ operation: e.operation, text: e.statement, params: e.params ?? [] });
        },
      },
    });
    try {
      const webhooks = new WebhookRepository(adapter);
      await webhooks.claimRetryable('planner');
      await webhooks.findRetryable(5, 10);
      for (const operation of ['claim', 'findMany']) {
        const { text, params } = statements.find((s) => s.operation === operation)!;
        const plan = adapter.connection
          .prepare(`EXPLAIN QUERY PLAN ${text}`)
          .all(...params)
          .map((row) => (row as { detail: string }).detail);
        expect(plan).toContain(
          'SEARCH webhook_events USING INDEX webhook_events_claim_idx (processed=?)',
        );
        expect(plan.join('\n')).not.toMatch(/TEMP B-TREE/);
      }
    } finally {
      await adapter.close();
    }
  });
});
