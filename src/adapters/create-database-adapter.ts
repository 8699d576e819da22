import { setTimeout as wait } from 'node:timers/promises';
import type { LoggerService } from '@nestjs/common';
import type { DatabaseConnection } from '../config/database-connection.interface';
import type { ResolvedDatabaseConfig } from '../config/database-options.interface';
import { databaseTargetOf, describeDatabaseTarget } from '../config/database-target';
import { ConnectionException } from '../exceptions/connection.exception';
import { checkMigrationsAtBoot } from '../health/migrations-check';
import { DEFAULT_QUERY_LIMITS, type QueryLimits } from '../query/plan-query';
import type { IDatabaseAdapter } from './database-adapter.interface';
import { PGliteAdapter } from './pglite';
import { PostgresAdapter } from './postgres';
import type { QueryObserver } from './query-observer';
import { SQLiteAdapter } from './sqlite';
import { probeSupabase, SupabaseAdapter } from './supabase';

export type { DatabaseConnection };

/** What {@link createDatabaseAdapter} needs besides the configuration. */
export interface CreateDatabaseAdapterDeps {
  /** Receives every query event (metrics, query log). */
  observer: QueryObserver;
  /** Where the boot decisions are logged. */
  logger: LoggerService;
  /** Waits between probe attempts. Default is a `setTimeout` delay. */
  sleep?: (ms: number) => Promise<void>;
}

/** The outcome of one Supabase probe, as `probeSupabase` reports it. */
type ProbeOutcome = Awaited<ReturnType<typeof probeSupabase>>;

/** Failures that may go away on a second try; a rejected key or a missing schema will not. */
const TRANSIENT_PROBE_FAILURES = new Set(['unreachable', 'timeout']);

async function probeWithRetries(
  supabase: NonNullable<ResolvedDatabaseConfig['supabase']>,
  probe: ResolvedDatabaseConfig['probe'],
  deps: CreateDatabaseAdapterDeps,
): Promise<ProbeOutcome> {
  const sleep = deps.sleep ?? wait;
  for (let attempt = 0; ; attempt += 1) {
    let outcome: ProbeOutcome;
    try {
      outcome = await probeSupabase({
        url: supabase.url,
        key: supabase.key,
        timeoutMs: probe.timeoutMs,
        fetch: supabase.fetch,
      });
    } catch (error) {
      // The probe reports failures as values; a throw is treated the same way, never as a crash.
      outcome = { ok: false, reason: 'unreachable', message: (error as Error).message };
    }
    if (outcome.ok || !TRANSIENT_PROBE_FAILURES.has(outcome.reason) || attempt >= probe.retries) {
      return outcome;
    }
    const wait = probe.backoffMs * 2 ** attempt;
    deps.logger.warn(
      `Supabase probe attempt ${attempt + 1} failed (${outcome.reason}); retrying in ${wait}ms`,
    );
    await sleep(wait);
  }
}

/** What every SQL provider is opened with: migrations, limits, time limit and observer. */
interface OpenSettings {
  migrate: boolean;
  appMigrationsDirectories: readonly string[];
  migrationLog: (line: string) => void;
  transactionTimeoutMs: number;
  limits: QueryLimits;
  observer: QueryObserver;
}

async function openSqlite(
  config: ResolvedDatabaseConfig,
  settings: OpenSettings,
): Promise<IDatabaseAdapter> {
  const { path, synchronous } = config.sqlite;
  return SQLiteAdapter.open({ path, synchronous, ...settings });
}

/**
 * The boot's one line about the database: which provider, which database (never a user,
 * password or directory), and the migrations this boot applied.
 */
function bootLine(
  adapter: IDatabaseAdapter,
  config: ResolvedDatabaseConfig,
  applied: readonly string[],
  fallback: string,
): string {
  const where = describeDatabaseTarget(
    adapter.provider,
    databaseTargetOf(adapter.provider, config),
  );
  let migrations: string;
  if (!adapter.capabilities.migrations) migrations = 'migrations are not run by this provider';
  else if (!config.migrate) migrations = 'migrations not run at boot (migrate: false)';
  else if (applied.length === 0) migrations = 'no migration to apply';
  else migrations = `${applied.length} migration(s) applied: ${applied.join(', ')}`;
  return `Database provider: ${adapter.provider}${fallback}, ${where}; ${migrations}`;
}

function fallbackRefusal(
  config: ResolvedDatabaseConfig,
  outcome: ProbeOutcome & { ok: false },
): string {
  const cause = `Supabase is unreachable at boot (${outcome.reason}: ${outcome.message})`;
  if (config.production) {
    return `${cause} and NODE_ENV=production does not fall back to SQLite unless DATABASE_FALLBACK=sqlite is set`;
  }
  return `${cause} and DATABASE_FALLBACK=none turns the SQLite fallback off`;
}

/**
 * Opens the adapter the configuration asks for: the one place that switches on the provider.
 *
 * For Supabase it first probes the project (with retries and exponential backoff on transient
 * failures); when the probe fails and the fallback is allowed, it opens SQLite instead and logs a
 * warning with the reason. When the fallback is not allowed it throws a ConnectionException that
 * says which setting to change. Once open, a SQL database is checked for pending migrations and
 * schema drift, once, for the health report.
 */
export async function createDatabaseAdapter(
  config: ResolvedDatabaseConfig,
  deps: CreateDatabaseAdapterDeps,
): Promise<DatabaseConnection> {
  const { observer, logger } = deps;
  const limits: QueryLimits = { ...DEFAULT_QUERY_LIMITS, maxPageSize: config.maxPageSize };
  const applied: string[] = [];
  const settings: OpenSettings = {
    migrate: config.migrate,
    appMigrationsDirectories: config.migrations.directories,
    // The runner's lines read `applied  0001_init (3.2 ms)`: the boot line names the migrations.
    migrationLog: (line) => {
      const match = /^applied\s+(\S+)/.exec(line);
      if (match) applied.push(match[1]);
    },
    transactionTimeoutMs: config.transactionTimeoutMs,
    limits,
    observer,
  };
  const chosen = async (adapter: IDatabaseAdapter): Promise<DatabaseConnection> => {
    logger.log(bootLine(adapter, config, applied, ''));
    return {
      adapter,
      configuredProvider: config.provider,
      provider: adapter.provider,
      fallbackActive: false,
      migrations: await checkMigrationsAtBoot(adapter, config, logger),
    };
  };

  switch (config.provider) {
    case 'sqlite':
      return chosen(await openSqlite(config, settings));
    case 'postgres': {
      const postgres = config.postgres!;
      return chosen(
        await PostgresAdapter.open({
          connectionString: postgres.connectionString,
          pool: { max: postgres.poolMax },
          pooler: postgres.pooler,
          // The boot checks the connection even with migrations off, and waits for a server
          // that is still starting (a container, a failover) before it gives up.
          connectWaitMs: postgres.connectWaitMs,
          migrationLockTimeoutMs: postgres.migrationLockTimeoutMs,
          ...settings,
        }),
      );
    }
    case 'pglite':
      return chosen(await PGliteAdapter.open({ path: config.pglite.path, ...settings }));
    case 'supabase': {
      const supabase = config.supabase!;
      const outcome = await probeWithRetries(supabase, config.probe, deps);
      if (outcome.ok) {
        logger.log(`Supabase answered the probe in ${Math.round(outcome.latencyMs)}ms`);
        return chosen(
          new SupabaseAdapter({
            url: supabase.url,
            anonKey: supabase.anonKey,
            serviceKey: supabase.serviceKey,
            fetch: supabase.fetch,
            limits,
            observer,
          }),
        );
      }
      if (config.fallback !== 'sqlite') {
        throw new ConnectionException(fallbackRefusal(config, outcome), {
          details: { provider: 'supabase', reason: outcome.reason },
        });
      }
      const fallbackReason = `${outcome.reason}: ${outcome.message}`;
      logger.warn(
        `Supabase is unreachable (${fallbackReason}); falling back to SQLite at ${config.sqlite.path}`,
      );
      const adapter = await openSqlite(config, settings);
      logger.log(bootLine(adapter, config, applied, ' (fallback from supabase)'));
      return {
        adapter,
        configuredProvider: 'supabase',
        provider: adapter.provider,
        fallbackActive: true,
        fallbackReason,
        migrations: await checkMigrationsAtBoot(adapter, config, logger),
      };
    }
  }
}
