import { createDatabaseAdapter } from '../../src/adapters/create-database-adapter';
import { resolveDatabaseConfig, type DatabaseConnection } from '../../src/config';
import {
  DatabaseHealthIndicator,
  DatabaseHealthService,
  HEALTH_MESSAGES,
  HEALTH_REASONS,
} from '../../src/health';
import { withObservation } from '../../src/observation';
import { withResilience } from '../../src/resilience';
import { withTracing } from '../../src/tracing';
import { whileOneWaits } from '../support/queued-transaction';
import { makeTempSqliteDir } from './temp-sqlite';

const tmp = makeTempSqliteDir('health-usage');
afterAll(() => tmp.cleanup());

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

describe('health: pool saturation, cache hit rate, and the summary for everyone', () => {
  let connection: DatabaseConnection;
  const config = resolveDatabaseConfig({
    provider: 'sqlite',
    sqlite: { path: tmp.file('usage') },
    env: {},
  });

  beforeEach(async () => {
    connection = await createDatabaseAdapter(config, {
      observer: { onQuery: () => undefined },
      logger: silent,
    });
    connection.adapter = withTracing(withResilience(connection.adapter));
  });
  afterEach(() => connection.adapter.close());

  it('reports the pool as saturated (degraded) while a flow waits for the connection', async () => {
    const service = new DatabaseHealthService(connection, config);
    expect((await service.checkHealth()).checks.pool).toEqual({
      status: 'pass',
      message: HEALTH_MESSAGES.poolOk,
      details: { total: 1, idle: 1, waiting: 0, max: 1, saturation: 0 },
    });

    const busy = await whileOneWaits(connection.adapter, () => service.checkHealth());
    expect(busy.status).toBe('degraded');
    expect(busy.checks.pool).toMatchObject({
      status: 'warn',
      reason: HEALTH_REASONS.poolSaturated,
      details: { total: 1, idle: 0, waiting: 1, saturation: 1 },
    });
  });

  it('reports the cache hit rate from the adapter’s cacheStats(), or a source given', async () => {
    const service = new DatabaseHealthService(connection, config);
    expect((await service.checkHealth()).checks.cache).toMatchObject({
      status: 'skip',
      reason: HEALTH_REASONS.notReported,
    });

    const cacheLayer = Object.assign(withObservation(connection.adapter, { onQuery: () => {} }), {
      cacheStats: () => ({ hits: 3, misses: 1 }),
    });
    const cached = new DatabaseHealthService(
      { ...connection, adapter: withTracing(cacheLayer) },
      config,
    );
    const report = await cached.checkHealth();
    expect(report.checks.cache).toEqual({
      status: 'pass',
      message: HEALTH_MESSAGES.cacheOk,
      details: { hits: 3, misses: 1, hitRate: 0.75 },
    });
    expect(report.status).toBe('healthy');

    service.useCacheStats({ cacheStats: () => ({ hits: 0, misses: 0 }) });
    expect((await service.checkHealth()).checks.cache.details).toEqual({
      hits: 0,
      misses: 0,
      hitRate: null,
    });
  });

  it('sums up without paths, disk figures, hosts or error messages', async () => {
    const fallback: DatabaseConnection = {
      ...connection,
      configuredProvider: 'supabase',
      fallbackActive: true,
      fallbackReason: 'unreachable: getaddrinfo ENOTFOUND secret-project.supabase.co',
    };
    const service = new DatabaseHealthService(fallback, config);
    const summary = await service.checkHealthSummary();
    expect(summary).toMatchObject({
      status: 'degraded',
      provider: 'sqlite',
      configuredProvider: 'supabase',
      fallbackActive: true,
      fallbackReason: 'unreachable',
      poolSaturation: 0,
      migrations: { pending: 0, drift: 0 },
      checks: {
        connection: { status: 'pass', message: HEALTH_MESSAGES.connectionOk },
        storage: { status: 'pass', message: HEALTH_MESSAGES.storageOk },
        pool: { status: 'pass' },
        cache: { status: 'skip', reason: HEALTH_REASONS.notReported },
      },
    });
    const text = JSON.stringify(summary);
    for (const leak of [tmp.file('usage'), 'secret-project', 'Bytes', 'details', 'path']) {
      expect(text).not.toContain(leak);
    }
    // The full report still has them, for operators.
    const report = await service.checkHealth();
    expect(report.checks.storage.details).toMatchObject({ path: expect.stringContaining('/') });
    expect(report.fallbackReason).toContain('secret-project');
  });

  it('the Terminus indicator names a saturated pool among its problems', async () => {
    const indicator = new DatabaseHealthIndicator(new DatabaseHealthService(connection, config));
    const result = await whileOneWaits(connection.adapter, () => indicator.isHealthy());
    expect(result.database).toMatchObject({
      status: 'up',
      health: 'degraded',
      problems: [
        { check: 'pool', reason: 'pool-saturated', message: HEALTH_MESSAGES.poolSaturated },
      ],
    });
  });
});
