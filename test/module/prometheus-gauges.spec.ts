import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { IDatabaseAdapter } from '../../src/adapters/database-adapter.interface';
import { PostgresAdapter } from '../../src/adapters/postgres';
import { SQLiteAdapter } from '../../src/adapters/sqlite';
import { DatabaseModule } from '../../src/database.module';
import { ConnectionException } from '../../src/exceptions';
import {
  DURATION_BUCKETS,
  DatabaseMetricsService,
  type DatabaseMetricsSettings,
} from '../../src/metrics';
import { withObservation } from '../../src/observation';
import { withResilience } from '../../src/resilience';
import { defineTable, usersTable } from '../../src/schema';
import { withTracing } from '../../src/tracing';
import { tempDir, writeMigration, type TempDir } from '../migrations/support/migration-fixtures';
import { parsePrometheusText, sampleOf, type PromText } from '../support/prometheus-text';
import { createTestDatabase, describeWithPostgres } from '../support/postgres';
import { whileOneWaits } from '../support/queued-transaction';
import { bootApp } from './boot-app';

const settings: DatabaseMetricsSettings = {
  slowQueryThresholdMs: 500,
  reservoirSize: 16,
  prometheus: true,
  prometheusPrefix: 'db_',
};

async function scrape(metrics: DatabaseMetricsService): Promise<PromText> {
  return parsePrometheusText(await metrics.prometheusRegistry!.metrics());
}

/** A service bound to `adapter`, as the module binds it. */
function metricsOf(adapter: IDatabaseAdapter): DatabaseMetricsService {
  const metrics = new DatabaseMetricsService(settings);
  metrics.bindConnection({ adapter });
  return metrics;
}

let dir: TempDir;
const opened: IDatabaseAdapter[] = [];
beforeEach(() => {
  dir = tempDir('prometheus-gauges');
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((adapter) => adapter.close()));
  dir.remove();
});

async function openSqlite(): Promise<SQLiteAdapter> {
  const adapter = await SQLiteAdapter.open({ path: join(dir.path, 'gauges.sqlite') });
  opened.push(adapter);
  return adapter;
}

describe('Prometheus gauges, parsed from the text format', () => {
  it('shows SQLite as a pool of one: idle until a transaction holds it, with the flows queued', async () => {
    const adapter = await openSqlite();
    const metrics = metricsOf(adapter);
    const pool = async () => {
      const text = await scrape(metrics);
      return ['connections', 'idle_connections', 'waiting_requests', 'max_connections'].map(
        (name) => sampleOf(text, `db_pool_${name}`, { provider: 'sqlite' }),
      );
    };
    expect(await pool()).toEqual([1, 1, 0, 1]);

    expect(await whileOneWaits(adapter, pool)).toEqual([1, 0, 1, 1]);
    expect(await pool()).toEqual([1, 1, 0, 1]);
  });

  it('numbers the circuit state 0 closed, 1 half-open, 2 open', async () => {
    let now = 0;
    const down = new ConnectionException('the database is down');
    const unreachable = {
      provider: 'postgres',
      capabilities: {},
      findMany: () => Promise.reject(down),
      ping: () => Promise.reject(down),
    } as unknown as IDatabaseAdapter;
    const adapter = withTracing(
      withResilience(unreachable, {
        retry: { connectionAttempts: 1 },
        circuitBreaker: { failureThreshold: 1, initialCooldownMs: 1000, now: () => now },
      }),
    );
    const metrics = metricsOf(adapter);
    const state = async () => sampleOf(await scrape(metrics), 'db_circuit_state');
    expect(await state()).toBe(0);
    await expect(adapter.findMany({}, usersTable)).rejects.toBe(down);
    expect(await state()).toBe(2);
    now = 1000;
    expect(await state()).toBe(1);
  });

  it('counts cache hits and misses from the adapter’s cacheStats(), through every layer, or from a source given', async () => {
    const inner = await openSqlite();
    const noCache = await scrape(metricsOf(inner));
    expect(sampleOf(noCache, 'db_cache_hits_total')).toBeUndefined();

    const cacheLayer = Object.assign(withObservation(inner, { onQuery: () => undefined }), {
      cacheStats: () => ({ hits: 3, misses: 1, backend: 'memory' }),
    });
    const metrics = metricsOf(withTracing(withResilience(cacheLayer)));
    let text = await scrape(metrics);
    expect(text.types).toMatchObject({
      db_cache_hits_total: 'counter',
      db_cache_misses_total: 'counter',
    });
    expect(sampleOf(text, 'db_cache_hits_total', { provider: 'sqlite' })).toBe(3);
    expect(sampleOf(text, 'db_cache_misses_total', { provider: 'sqlite' })).toBe(1);
    expect((await metrics.collectStats()).cache).toEqual({ hits: 3, misses: 1, backend: 'memory' });

    metrics.useCacheStats({ cacheStats: () => ({ hits: 7, misses: 2 }) });
    text = await scrape(metrics);
    expect(sampleOf(text, 'db_cache_hits_total')).toBe(7);
  });

  it('has a latency histogram per operation and table, with the documented buckets', async () => {
    const adapter = await openSqlite();
    const metrics = metricsOf(adapter);
    metrics.onQuery({ provider: 'sqlite', operation: 'findMany', table: 'users', durationMs: 3 });
    const text = await scrape(metrics);
    expect(text.types.db_query_duration_seconds).toBe('histogram');
    const buckets = text.samples
      .filter((s) => s.name === 'db_query_duration_seconds_bucket')
      .filter((s) => s.labels.operation === 'findMany' && s.labels.table === 'users');
    expect(buckets.map((s) => s.labels.le)).toEqual([...DURATION_BUCKETS.map(String), '+Inf']);
    expect(buckets.map((s) => s.value)).toEqual(
      [...DURATION_BUCKETS, Infinity].map((le) => (le >= 0.003 ? 1 : 0)),
    );
  });
});

describe('Prometheus gauges of a booted module', () => {
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('report the pending migrations and the drift the boot found', async () => {
    const appMigrations = tempDir('prometheus-gauges-app');
    try {
      mkdirSync(join(appMigrations.path, 'sqlite'));
      writeMigration(
        {
          ...appMigrations,
          write: (name, text) => appMigrations.write(join('sqlite', name), text),
        },
        '20261205120000_create_refunds',
        'CREATE TABLE refunds (id TEXT);',
        'DROP TABLE refunds;',
      );
      const refunds = defineTable({ name: 'refunds', columns: { reason: { type: 'text' } } });
      const sqlite = { path: join(dir.path, 'booted.sqlite') };
      // Migrated once with the library's migrations, then booted without migrating the app's.
      opened.push(await SQLiteAdapter.open(sqlite));
      await opened.pop()!.close();
      app = await bootApp([
        DatabaseModule.forRoot({
          provider: 'sqlite',
          sqlite,
          migrate: false,
          migrations: { directories: [appMigrations.path], tables: [refunds] },
          env: {},
        }),
      ]);
      const text = await scrape(app.get(DatabaseMetricsService));
      expect(sampleOf(text, 'db_migrations_pending', { provider: 'sqlite' })).toBe(1);
      expect(sampleOf(text, 'db_schema_drift_differences', { provider: 'sqlite' })).toBe(1);
      expect(sampleOf(text, 'db_circuit_state', { provider: 'sqlite' })).toBe(0);
      expect(sampleOf(text, 'db_pool_connections', { provider: 'sqlite' })).toBe(1);
    } finally {
      appMigrations.remove();
    }
  });
});

describeWithPostgres('Prometheus gauges on PostgreSQL', () => {
  it('report the pool: open, idle, waiting and its maximum', async () => {
    const database = await createTestDatabase('gauges');
    const adapter = await PostgresAdapter.open({
      connectionString: database.url,
      pool: { max: 3 },
    });
    try {
      const metrics = metricsOf(withTracing(withResilience(adapter)));
      await adapter.ping();
      const text = await scrape(metrics);
      const labels = { provider: 'postgres' };
      expect(sampleOf(text, 'db_pool_connections', labels)).toBeGreaterThanOrEqual(1);
      expect(sampleOf(text, 'db_pool_idle_connections', labels)).toBe(
        sampleOf(text, 'db_pool_connections', labels),
      );
      expect(sampleOf(text, 'db_pool_waiting_requests', labels)).toBe(0);
      expect(sampleOf(text, 'db_pool_max_connections', labels)).toBe(3);
    } finally {
      await adapter.close();
      await database.drop();
    }
  });
});
