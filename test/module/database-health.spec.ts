import {
  DatabaseHealthIndicator,
  DatabaseHealthService,
  HEALTH_MESSAGES,
  HealthCheckTimeoutError,
  summarizeHealth,
  withTimeout,
  type HealthCheckOutcome,
} from '../../src/health';
import {
  resolveDatabaseConfig,
  type DatabaseConnection,
  type ResolvedDatabaseConfig,
} from '../../src/config';
import { SQLiteAdapter } from '../../src/adapters/sqlite';
import { makeTempSqliteDir } from './temp-sqlite';

const tmp = makeTempSqliteDir('health');
afterAll(() => tmp.cleanup());

const pass: HealthCheckOutcome = { status: 'pass', message: 'ok' };
const warn: HealthCheckOutcome = { status: 'warn', message: 'slow', reason: 'slow' };
const fail: HealthCheckOutcome = { status: 'fail', message: 'down', reason: 'error' };
const skip: HealthCheckOutcome = { status: 'skip', message: 'n/a', reason: 'not-reported' };

describe('summarizeHealth', () => {
  it.each([
    ['all pass', { connection: pass, performance: pass, storage: pass }, false, 'healthy'],
    [
      'storage not reported',
      { connection: pass, performance: pass, storage: skip },
      false,
      'healthy',
    ],
    ['on the fallback', { connection: pass, performance: pass, storage: pass }, true, 'degraded'],
    ['slow', { connection: pass, performance: warn, storage: pass }, false, 'degraded'],
    ['storage failed', { connection: pass, performance: pass, storage: fail }, false, 'degraded'],
    [
      'connection failed',
      { connection: fail, performance: skip, storage: pass },
      false,
      'unhealthy',
    ],
    [
      'connection failed on the fallback',
      { connection: fail, performance: skip, storage: pass },
      true,
      'unhealthy',
    ],
  ] as const)('%s → %s', (_name, checks, fallbackActive, expected) => {
    expect(summarizeHealth(checks, fallbackActive)).toBe(expected);
  });
});

describe('withTimeout', () => {
  it('rejects with HealthCheckTimeoutError when the work does not settle', async () => {
    await expect(withTimeout(new Promise(() => undefined), 5)).rejects.toBeInstanceOf(
      HealthCheckTimeoutError,
    );
  });

  it('passes the result or the error of work that settles', async () => {
    await expect(withTimeout(Promise.resolve(7), 1000)).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('no')), 1000)).rejects.toThrow('no');
  });
});

describe('DatabaseHealthService on a real SQLite database', () => {
  let adapter: SQLiteAdapter;
  let path: string;

  beforeAll(async () => {
    path = tmp.file();
    adapter = await SQLiteAdapter.open({ path });
  });
  afterAll(() => adapter.close());

  const service = (
    overrides: Partial<ResolvedDatabaseConfig['health']> = {},
    connection: Partial<DatabaseConnection> = {},
  ): DatabaseHealthService => {
    const config = resolveDatabaseConfig({ provider: 'sqlite', sqlite: { path }, env: {} });
    config.health = { ...config.health, ...overrides };
    return new DatabaseHealthService(
      {
        adapter,
        provider: 'sqlite',
        configuredProvider: 'sqlite',
        fallbackActive: false,
        ...connection,
      },
      config,
    );
  };

  it('is healthy, with storage figures from the database file', async () => {
    const report = await service().checkHealth();
    expect(report).toMatchObject({ status: 'healthy', provider: 'sqlite', fallbackActive: false });
    expect(report.checks.connection).toMatchObject({
      status: 'pass',
      message: HEALTH_MESSAGES.connectionOk,
    });
    expect(report.checks.storage.status).toBe('pass');
    expect(report.checks.storage.details).toMatchObject({ path });
    expect(report.checks.storage.details?.databaseBytes).toBeGreaterThan(0);
    expect(report.checks.storage.details?.freeDiskBytes).toBeGreaterThan(0);
    expect(Date.parse(report.timestamp)).not.toBeNaN();
  });

  it('is degraded when running on the fallback, and says why', async () => {
    const report = await service(
      {},
      { configuredProvider: 'supabase', fallbackActive: true, fallbackReason: 'timeout: x' },
    ).checkHealth();
    expect(report).toMatchObject({
      status: 'degraded',
      fallbackActive: true,
      fallbackReason: 'timeout: x',
    });
  });

  it('is degraded when the ping is slower than the threshold', async () => {
    const report = await service({ latencyThresholdMs: -1 }).checkHealth();
    expect(report.status).toBe('degraded');
    expect(report.checks.performance).toMatchObject({
      status: 'warn',
      reason: 'slow',
      message: HEALTH_MESSAGES.performanceSlow,
    });
  });

  it('is degraded when free disk is below the minimum', async () => {
    const report = await service({ minFreeDiskBytes: Number.MAX_SAFE_INTEGER }).checkHealth();
    expect(report.status).toBe('degraded');
    expect(report.checks.storage).toMatchObject({ status: 'warn', reason: 'low-disk' });
  });

  it('is unhealthy when the database does not answer, with the reason', async () => {
    const closed = await SQLiteAdapter.open({ path: tmp.file() });
    await closed.close();
    const report = await service({}, { adapter: closed }).checkHealth();
    expect(report.status).toBe('unhealthy');
    expect(report.checks.connection).toMatchObject({
      status: 'fail',
      reason: 'error',
      message: HEALTH_MESSAGES.connectionFailed,
    });
    expect(report.checks.connection.error?.name).toMatch(/Exception$/);
    expect(report.checks.performance).toMatchObject({
      status: 'skip',
      reason: 'dependency-failed',
    });
  });

  it('the Terminus-shaped indicator reports up for healthy and degraded, down for unhealthy', async () => {
    expect(await new DatabaseHealthIndicator(service()).isHealthy()).toEqual({
      database: expect.objectContaining({ status: 'up', health: 'healthy', provider: 'sqlite' }),
    });
    const slow = await new DatabaseHealthIndicator(service({ latencyThresholdMs: -1 })).isHealthy(
      'db',
    );
    expect(slow.db).toMatchObject({
      status: 'up',
      health: 'degraded',
      problems: [{ check: 'performance', reason: 'slow' }],
    });
    const closed = await SQLiteAdapter.open({ path: tmp.file() });
    await closed.close();
    const down = await new DatabaseHealthIndicator(service({}, { adapter: closed })).isHealthy();
    expect(down.database).toMatchObject({ status: 'down', health: 'unhealthy' });
  });
});
