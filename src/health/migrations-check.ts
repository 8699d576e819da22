import type { LoggerService } from '@nestjs/common';
import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import { PGliteAdapter } from '../adapters/pglite/pglite.adapter';
import { PostgresAdapter } from '../adapters/postgres/postgres.adapter';
import { SQLiteAdapter } from '../adapters/sqlite/sqlite.adapter';
import type { ResolvedDatabaseConfig } from '../config/database-options.interface';
import {
  checkSchema,
  describeMigrationState,
  type SchemaCheckResult,
} from '../schema-model/check-schema';
import type { SchemaSource } from '../schema-model/live-schema';
import {
  pgliteSchemaSource,
  postgresSchemaSource,
  sqliteSchemaSource,
} from '../schema-model/schema-sources';
import type { HealthCheckOutcome } from './database-health.interface';
import { describeError } from './describe-error';
import { HEALTH_MESSAGES, HEALTH_REASONS } from './health.messages';
import { HealthCheckTimeoutError, withTimeout } from './promise-timeout';

/** The outcome for a connection whose schema is not read (Supabase, or one built by hand). */
export const MIGRATIONS_NOT_CHECKED: HealthCheckOutcome = Object.freeze({
  status: 'skip',
  message: HEALTH_MESSAGES.migrationsNotChecked,
  reason: HEALTH_REASONS.notChecked,
});

/** The SQL adapter's own connection, before any layer wraps it; undefined for Supabase. */
function schemaSourceOf(adapter: IDatabaseAdapter): SchemaSource | undefined {
  if (adapter instanceof SQLiteAdapter) return sqliteSchemaSource(adapter.connection);
  if (adapter instanceof PostgresAdapter) return postgresSchemaSource(adapter.pool);
  if (adapter instanceof PGliteAdapter) return pgliteSchemaSource(adapter.db);
  return undefined;
}

/** The health outcome of a schema check; the lines stay in `details`, never in the message. */
export function migrationsOutcome(result: SchemaCheckResult): HealthCheckOutcome {
  const pending = result.migrations.filter((row) => row.state === 'pending').length;
  const history = result.migrations.filter((row) => row.state !== 'pending');
  const drift = result.differences.filter((d) => d.severity === 'drift').map((d) => d.message);
  const warnings = result.differences.filter((d) => d.severity === 'warning');
  const details: Record<string, unknown> = {
    tables: result.tables.length,
    pending,
    drift,
    warnings: warnings.map((d) => d.message),
    ...(history.length > 0 && { history: history.map(describeMigrationState) }),
  };
  if (result.migrations.length > 0) {
    const message = HEALTH_MESSAGES.migrationsPending;
    return { status: 'warn', message, reason: HEALTH_REASONS.pendingMigrations, details };
  }
  if (drift.length > 0) {
    const message = HEALTH_MESSAGES.migrationsDrift;
    return { status: 'warn', message, reason: HEALTH_REASONS.schemaDrift, details };
  }
  return { status: 'pass', message: HEALTH_MESSAGES.migrationsOk, details };
}

/**
 * Checks, once at boot, the opened database against its migration files and table definitions
 * (the library's and `config.migrations.tables`), for the health report's `migrations` check.
 * Logs what it finds as a warning. It reports every failure in the outcome and never throws: a
 * schema that cannot be read does not stop the boot.
 */
export async function checkMigrationsAtBoot(
  adapter: IDatabaseAdapter,
  config: Pick<ResolvedDatabaseConfig, 'migrations' | 'health'>,
  logger?: Pick<LoggerService, 'warn'>,
): Promise<HealthCheckOutcome> {
  const source = schemaSourceOf(adapter);
  if (!source) return MIGRATIONS_NOT_CHECKED;
  try {
    const result = await withTimeout(
      checkSchema(source, {
        tables: config.migrations.tables,
        appDirectories: config.migrations.directories,
      }),
      config.health.checkTimeoutMs,
    );
    const outcome = migrationsOutcome(result);
    if (outcome.status !== 'pass' && logger) {
      const lines = result.migrations.map((row) => `${row.state} ${describeMigrationState(row)}`);
      lines.push(...result.differences.filter((d) => d.severity === 'drift').map((d) => d.message));
      logger.warn(`${outcome.message} (nest-data-layer migrate check):\n  ${lines.join('\n  ')}`);
    }
    return outcome;
  } catch (error) {
    const timedOut = error instanceof HealthCheckTimeoutError;
    logger?.warn(`${HEALTH_MESSAGES.migrationsFailed}: ${describeError(error)?.message}`);
    return {
      status: 'fail',
      message: HEALTH_MESSAGES.migrationsFailed,
      reason: timedOut ? HEALTH_REASONS.timeout : HEALTH_REASONS.error,
      ...(!timedOut && { error: describeError(error) }),
    };
  }
}
