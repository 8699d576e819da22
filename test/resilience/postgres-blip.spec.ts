/**
 * A short PostgreSQL outage under a stream of calls, on a throwaway server that is really stopped
 * and started again: how long after the server accepts connections again do health and calls
 * recover? The figures are printed; the bounds asserted are generous (the CI machine is shared).
 */
import { PostgresAdapter } from '../../src/adapters/postgres';
import type { DatabaseConnection } from '../../src/config/database-connection.interface';
import type { ResolvedDatabaseConfig } from '../../src/config/database-options.interface';
import { ConnectionException } from '../../src/exceptions';
import { DatabaseHealthService, type DatabaseHealthStatus } from '../../src/health';
import { UserRepository } from '../../src/repositories';
import { withResilience, type ResilientAdapter } from '../../src/resilience';
import type { ThrowawayPostgres } from '../support/faults/throwaway-postgres';
import { userInput } from '../repositories/support/billing-fixtures';
import { describeWithThrowawayPostgres, useThrowawayPostgres } from './support/throwaway-server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long the server stays down. */
const OUTAGE_MS = 2_000;
/** Concurrent callers, each making one read after another with a short pause. */
const WORKERS = 4;
const CALL_PAUSE_MS = 25;
/** How often the health check runs when one is polling (a load balancer's probe). */
const HEALTH_EVERY_MS = 100;
/** Give up waiting for recovery after this (the old fixed cool-down alone was 10 s). */
const RECOVERY_WAIT_MS = 20_000;

interface Outcome {
  /** When it settled, on the performance clock. */
  at: number;
  ok: boolean;
  error?: unknown;
}

interface BlipFigures {
  /** From the server accepting connections again to the first `healthy` report, when polled. */
  healthyAfterMs?: number;
  /** From then to the first successful call after which every call succeeded. */
  callsAfterMs?: number;
  failedCalls: number;
  failedFast: number;
  otherErrors: unknown[];
}

function healthServiceFor(adapter: ResilientAdapter): DatabaseHealthService {
  const connection: DatabaseConnection = {
    adapter,
    configuredProvider: 'postgres',
    provider: 'postgres',
    fallbackActive: false,
  };
  return new DatabaseHealthService(connection, {
    health: { latencyThresholdMs: 5_000, checkTimeoutMs: 1_000, minFreeDiskBytes: 0 },
    sqlite: { path: ':memory:' },
  } as ResolvedDatabaseConfig);
}

/** The first success after which nothing failed, relative to `from`. */
function steadyRecovery(outcomes: readonly Outcome[], from: number): number | undefined {
  const after = outcomes.filter((o) => o.at >= from).sort((a, b) => a.at - b.at);
  let firstSteady = after.length;
  while (firstSteady > 0 && after[firstSteady - 1].ok) firstSteady -= 1;
  const steady = after[firstSteady];
  return steady ? steady.at - from : undefined;
}

/**
 * Stops the server for {@link OUTAGE_MS} while {@link WORKERS} callers read (and, when
 * `pollHealth`, a health check runs every {@link HEALTH_EVERY_MS}), starts it again and measures
 * the recovery. The adapter has the module's default resilience settings.
 */
async function measureBlip(server: ThrowawayPostgres, pollHealth: boolean): Promise<BlipFigures> {
  const real = await PostgresAdapter.open({
    connectionString: server.url,
    migrate: true,
    pool: { max: WORKERS, connectionTimeoutMillis: 1_000 },
  });
  const adapter = withResilience(real);
  const users = new UserRepository(adapter);
  const health = healthServiceFor(adapter);
  const calls: Outcome[] = [];
  const reports: Array<{ at: number; status: DatabaseHealthStatus }> = [];
  let running = true;
  try {
    const known = await users.create(userInput());
    const worker = async () => {
      while (running) {
        try {
          await users.findById(known.id);
          calls.push({ at: performance.now(), ok: true });
        } catch (error) {
          calls.push({ at: performance.now(), ok: false, error });
        }
        await sleep(CALL_PAUSE_MS);
      }
    };
    const poller = async () => {
      while (running) {
        const { status } = await health.checkHealth();
        reports.push({ at: performance.now(), status });
        await sleep(HEALTH_EVERY_MS);
      }
    };
    const loops = [...Array.from({ length: WORKERS }, worker), ...(pollHealth ? [poller()] : [])];

    await sleep(300);
    await server.stop();
    await sleep(OUTAGE_MS);
    await server.start(); // `pg_ctl -w`: returns once the server accepts connections
    const up = performance.now();

    const recovered = () =>
      steadyRecovery(calls, up) !== undefined &&
      calls.some((c) => c.ok && c.at - up > 300) &&
      (!pollHealth || reports.some((r) => r.at >= up && r.status === 'healthy'));
    while (!recovered() && performance.now() - up < RECOVERY_WAIT_MS) await sleep(50);
    // A few more calls, to see that the recovery holds.
    await sleep(300);
    running = false;
    await Promise.all(loops);

    const firstHealthy = reports.find((r) => r.at >= up && r.status === 'healthy');
    const failed = calls.filter((c) => !c.ok);
    return {
      healthyAfterMs: firstHealthy ? firstHealthy.at - up : undefined,
      callsAfterMs: steadyRecovery(calls, up),
      failedCalls: failed.length,
      failedFast: failed.filter((c) => (c.error as { code?: string }).code === 'CIRCUIT_OPEN')
        .length,
      otherErrors: failed.map((c) => c.error).filter((e) => !(e instanceof ConnectionException)),
    };
  } finally {
    running = false;
    await adapter.close();
  }
}

function report(label: string, figures: BlipFigures): void {
  const ms = (value: number | undefined) =>
    value === undefined ? 'never' : `${Math.round(value)} ms`;
  const healthy =
    figures.healthyAfterMs === undefined ? '' : `healthy ${ms(figures.healthyAfterMs)} and `;
  process.stdout.write(
    `[resilience] ${OUTAGE_MS} ms PostgreSQL outage, ${label}: ${healthy}` +
      `calls steady ${ms(figures.callsAfterMs)} after the server accepted connections again ` +
      `(${figures.failedCalls} calls failed, ${figures.failedFast} of them fast)\n`,
  );
}

describeWithThrowawayPostgres('PostgreSQL blip: recovery time after the server is back', () => {
  const slot = useThrowawayPostgres();

  it('reports healthy and serves calls again within 2 s of a 2 s outage, with a health check polling', async () => {
    const figures = await measureBlip(slot.server, true);
    report('health polled every 100 ms', figures);
    expect(figures.otherErrors).toEqual([]);
    expect(figures.failedCalls).toBeGreaterThan(0);
    expect(figures.healthyAfterMs).toBeLessThan(2_000);
    expect(figures.callsAfterMs).toBeLessThan(2_000);
  }, 60_000);

  it('serves calls again within the grown cool-down when nothing polls health', async () => {
    const figures = await measureBlip(slot.server, false);
    report('no health check', figures);
    expect(figures.otherErrors).toEqual([]);
    // The cool-down doubles from 500 ms per failed trial: after a 2 s outage it is at most 4 s.
    expect(figures.callsAfterMs).toBeLessThan(5_000);
  }, 60_000);
});
