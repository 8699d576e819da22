import { Logger } from '@nestjs/common';
import {
  DatabaseMetricsService,
  LatencyReservoir,
  QueryLogObserver,
  combineQueryObservers,
  type DatabaseMetricsSettings,
} from '../../src/metrics';
import { UniqueConstraintException } from '../../src/exceptions';
import type { QueryEvent } from '../../src/adapters/query-observer';

const settings = (overrides: Partial<DatabaseMetricsSettings> = {}): DatabaseMetricsSettings => ({
  slowQueryThresholdMs: 500,
  reservoirSize: 1024,
  prometheus: false,
  prometheusPrefix: 'db_',
  ...overrides,
});

class RecordingLogger extends Logger {
  readonly warnings: string[] = [];
  readonly debugs: string[] = [];
  override warn(message: string): void {
    this.warnings.push(message);
  }
  override debug(message: string): void {
    this.debugs.push(message);
  }
}

const event = (durationMs: number, extra: Partial<QueryEvent> = {}): QueryEvent => ({
  provider: 'sqlite',
  operation: 'findMany',
  table: 'users',
  durationMs,
  ...extra,
});

describe('LatencyReservoir', () => {
  it('computes nearest-rank percentiles', () => {
    const reservoir = new LatencyReservoir(1000);
    for (let ms = 1; ms <= 100; ms += 1) reservoir.add(ms);
    expect(reservoir.percentiles()).toEqual({
      p50: 50,
      p95: 95,
      p99: 99,
      max: 100,
      mean: 50.5,
      samples: 100,
    });
  });

  it('keeps only the latest values once full (bounded memory)', () => {
    const reservoir = new LatencyReservoir(10);
    for (let ms = 1; ms <= 1000; ms += 1) reservoir.add(ms);
    const p = reservoir.percentiles();
    expect(p.samples).toBe(10);
    expect(p.p50).toBe(995);
    expect(p.max).toBe(1000);
  });

  it('is all zero when empty', () => {
    expect(new LatencyReservoir(4).percentiles()).toEqual({
      p50: 0,
      p95: 0,
      p99: 0,
      max: 0,
      mean: 0,
      samples: 0,
    });
  });
});

describe('DatabaseMetricsService', () => {
  it('counts per operation and table, with errors by exception class', () => {
    const metrics = new DatabaseMetricsService(settings(), new RecordingLogger());
    metrics.onQuery(event(1));
    metrics.onQuery(event(3));
    metrics.onQuery(
      event(2, { operation: 'create', error: new UniqueConstraintException('users', 'email') }),
    );
    metrics.onQuery(event(1, { operation: 'ping', table: '' }));
    const snapshot = metrics.snapshot();
    expect(snapshot).toMatchObject({ totalQueries: 4, totalErrors: 1, slowQueries: 0 });
    expect(snapshot.operations.map((o) => [o.table, o.operation, o.count])).toEqual([
      ['', 'ping', 1],
      ['users', 'create', 1],
      ['users', 'findMany', 2],
    ]);
    expect(snapshot.operations[1].errorsByClass).toEqual({ UniqueConstraintException: 1 });
    expect(snapshot.operations[2].latencyMs).toMatchObject({ p50: 1, p99: 3, max: 3, samples: 2 });
  });

  it('logs operations above the slow-query threshold, with the statement when there is one', () => {
    const logger = new RecordingLogger();
    const metrics = new DatabaseMetricsService(settings({ slowQueryThresholdMs: 10 }), logger);
    metrics.onQuery(event(5));
    metrics.onQuery(event(25, { statement: 'SELECT 1' }));
    expect(metrics.snapshot().slowQueries).toBe(1);
    expect(logger.warnings).toEqual([
      'Slow query: findMany on users took 25.0ms (threshold 10ms): SELECT 1',
    ]);
  });

  it('reset clears the in-memory figures', () => {
    const metrics = new DatabaseMetricsService(settings(), new RecordingLogger());
    metrics.onQuery(event(1));
    metrics.reset();
    expect(metrics.snapshot()).toMatchObject({ totalQueries: 0, operations: [] });
  });

  it('exports to a new Prometheus registry per service (prom-client is installed here)', async () => {
    const a = new DatabaseMetricsService(settings({ prometheus: true }), new RecordingLogger());
    const b = new DatabaseMetricsService(settings({ prometheus: true }), new RecordingLogger());
    expect(a.prometheusRegistry).not.toBe(b.prometheusRegistry);
    a.onQuery(event(2, { error: new UniqueConstraintException('users', 'email') }));
    const text = await a.prometheusRegistry!.metrics();
    expect(text).toContain(
      'db_queries_total{provider="sqlite",operation="findMany",table="users"} 1',
    );
    expect(text).toContain('error="UniqueConstraintException"');
    expect(text).toContain('db_query_duration_seconds_bucket');
  });

  it('shares a registry the user passes, registering each metric once', async () => {
    const { Registry } = await import('prom-client');
    const registry = new Registry();
    const a = new DatabaseMetricsService(settings({ prometheus: registry }), new RecordingLogger());
    const b = new DatabaseMetricsService(settings({ prometheus: registry }), new RecordingLogger());
    a.onQuery(event(1));
    b.onQuery(event(1));
    expect(await registry.metrics()).toContain(
      'db_queries_total{provider="sqlite",operation="findMany",table="users"} 2',
    );
  });

  it('collects nothing before an adapter is bound', async () => {
    await expect(
      new DatabaseMetricsService(settings(), new RecordingLogger()).collectStats(),
    ).resolves.toEqual({});
  });
});

describe('query observers', () => {
  it('QueryLogObserver asks for statements and logs them with redacted params', () => {
    const logger = new RecordingLogger();
    const observer = new QueryLogObserver(logger);
    expect(observer.wantsStatements).toBe(true);
    observer.onQuery(
      event(1.25, { statement: 'SELECT * FROM users WHERE email = ?', params: ['[REDACTED]'] }),
    );
    expect(logger.debugs).toEqual([
      'findMany users 1.3ms: SELECT * FROM users WHERE email = ? ["[REDACTED]"]',
    ]);
  });

  it('combineQueryObservers fans out, wants statements if any child does, and survives a throwing child', () => {
    const seen: string[] = [];
    const combined = combineQueryObservers([
      {
        onQuery: () => {
          throw new Error('boom');
        },
      },
      { wantsStatements: true, onQuery: (e) => seen.push(e.operation) },
    ]);
    expect(combined.wantsStatements).toBe(true);
    combined.onQuery(event(1));
    expect(seen).toEqual(['findMany']);
    expect(combineQueryObservers([{ onQuery: () => undefined }]).wantsStatements).toBe(false);
  });
});
