import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { createDatabaseAdapter } from '../../src/adapters/create-database-adapter';
import { SQLiteAdapter } from '../../src/adapters/sqlite';
import { resolveDatabaseConfig, type DatabaseModuleOptions } from '../../src/config';
import type { IDatabaseAdapter } from '../../src/adapters/database-adapter.interface';
import {
  DatabaseHealthIndicator,
  DatabaseHealthService,
  HEALTH_MESSAGES,
  HEALTH_REASONS,
} from '../../src/health';
import { checkMigrationsAtBoot } from '../../src/health/migrations-check';
import { defineTable } from '../../src/schema';
import { createTestDatabase, describeWithPostgres } from '../support/postgres';
import { tempDir, writeMigration, type TempDir } from '../migrations/support/migration-fixtures';

const refundsTable = defineTable({
  name: 'refunds',
  columns: { reason: { type: 'text' } },
});

class RecordingLogger extends Logger {
  readonly warnings: string[] = [];
  override log(): void {}
  override warn(message: string): void {
    this.warnings.push(message);
  }
}

describe('the migrations health check', () => {
  let dir: TempDir;
  let logger: RecordingLogger;
  const opened: IDatabaseAdapter[] = [];
  const path = () => join(dir.path, 'app.sqlite');

  /** The module's boot of SQLite with these options, and its health service and indicator. */
  const boot = async (options: DatabaseModuleOptions = {}) => {
    const config = resolveDatabaseConfig({
      provider: 'sqlite',
      sqlite: { path: path() },
      env: {},
      ...options,
    });
    const connection = await createDatabaseAdapter(config, {
      observer: { onQuery: () => undefined },
      logger,
    });
    opened.push(connection.adapter);
    const service = new DatabaseHealthService(connection, config);
    return { connection, service, indicator: new DatabaseHealthIndicator(service) };
  };

  beforeEach(() => {
    dir = tempDir('migrations-health');
    logger = new RecordingLogger();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((adapter) => adapter.close()));
    dir.remove();
  });

  it('passes when every migration is applied and the tables match', async () => {
    const { service } = await boot();
    const report = await service.checkHealth();
    expect(report.status).toBe('healthy');
    expect(report.checks.migrations).toEqual({
      status: 'pass',
      message: HEALTH_MESSAGES.migrationsOk,
      details: { tables: 4, pending: 0, drift: [], warnings: [] },
    });
    expect(logger.warnings).toEqual([]);
  });

  it('reports drift in the details, found once at boot, and the summary carries none of it', async () => {
    const { service, indicator } = await boot({ migrations: { tables: [refundsTable] } });
    expect(logger.warnings).toEqual([expect.stringContaining('refunds: missing table')]);

    // Fixed by hand after boot: the report still says what boot found (no catalog read per call).
    const db = new Database(path());
    db.exec('CREATE TABLE refunds (id TEXT)');
    db.close();
    const report = await service.checkHealth();
    expect(report.status).toBe('degraded');
    expect(report.checks.migrations).toMatchObject({
      status: 'warn',
      reason: HEALTH_REASONS.schemaDrift,
      message: HEALTH_MESSAGES.migrationsDrift,
      details: {
        tables: 5,
        pending: 0,
        drift: ['refunds: missing table (defined, not in the database)'],
      },
    });

    const summary = await indicator.isHealthy();
    expect(summary.database).toMatchObject({
      status: 'up',
      health: 'degraded',
      problems: [
        { check: 'migrations', reason: 'schema-drift', message: HEALTH_MESSAGES.migrationsDrift },
      ],
    });
    expect(JSON.stringify(summary)).not.toContain('refunds');
  });

  it('reports pending migrations when the boot does not migrate', async () => {
    await boot();
    await Promise.all(opened.splice(0).map((adapter) => adapter.close()));
    const app = tempDir('migrations-health-app');
    try {
      mkdirSync(join(app.path, 'sqlite'));
      const folder = {
        ...app,
        write: (name: string, text: string) => app.write(join('sqlite', name), text),
      };
      writeMigration(
        folder,
        '20261205120000_create_refunds',
        'CREATE TABLE refunds (id TEXT);',
        'DROP TABLE refunds;',
      );
      const { service, indicator } = await boot({
        migrate: false,
        migrations: { directories: [app.path], tables: [refundsTable] },
      });
      const report = await service.checkHealth();
      expect(report.checks.migrations).toMatchObject({
        status: 'warn',
        reason: HEALTH_REASONS.pendingMigrations,
        details: { pending: 1, drift: [expect.stringMatching(/^refunds: missing table/)] },
      });
      expect(JSON.stringify(await indicator.isHealthy())).not.toMatch(/20261205120000|refunds/);
    } finally {
      app.remove();
    }
  });

  it('does not check Supabase, and reports a schema it cannot read without failing the boot', async () => {
    const config = resolveDatabaseConfig({ provider: 'sqlite', env: {} });
    const supabase = { provider: 'supabase' } as unknown as IDatabaseAdapter;
    await expect(checkMigrationsAtBoot(supabase, config)).resolves.toEqual({
      status: 'skip',
      message: HEALTH_MESSAGES.migrationsNotChecked,
      reason: HEALTH_REASONS.notChecked,
    });

    const closed = await SQLiteAdapter.open({ path: path() });
    await closed.close();
    await expect(checkMigrationsAtBoot(closed, config, logger)).resolves.toMatchObject({
      status: 'fail',
      reason: HEALTH_REASONS.error,
      message: HEALTH_MESSAGES.migrationsFailed,
      error: { name: 'MigrationException' },
    });
    expect(logger.warnings).toEqual([expect.stringContaining(HEALTH_MESSAGES.migrationsFailed)]);
  });
});

describeWithPostgres('the migrations health check on PostgreSQL', () => {
  it('passes after the boot migrated, and names a column dropped by hand on the next boot', async () => {
    const database = await createTestDatabase('migrations_health');
    const config = resolveDatabaseConfig({
      provider: 'postgres',
      postgres: { connectionString: database.url },
      migrations: { tables: [] },
      env: {},
    });
    const deps = { observer: { onQuery: () => undefined }, logger: new RecordingLogger() };
    try {
      const first = await createDatabaseAdapter(config, deps);
      expect(first.migrations).toMatchObject({ status: 'pass', details: { tables: 4 } });
      await first.adapter.close();

      const client = new Client({ connectionString: database.url });
      await client.connect();
      await client.query('ALTER TABLE payments DROP COLUMN description');
      await client.end();

      const second = await createDatabaseAdapter(config, deps);
      expect(second.migrations).toMatchObject({
        status: 'warn',
        details: { drift: [expect.stringMatching(/^payments\.description: missing column/)] },
      });
      await second.adapter.close();
    } finally {
      await database.drop();
    }
  });
});
