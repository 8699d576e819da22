import { stat, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { DatabaseConnection } from '../config/database-connection.interface';
import type { ResolvedDatabaseConfig } from '../config/database-options.interface';
import { DATABASE_CONFIG, DATABASE_CONNECTION } from '../database.constants';
import { hasResilienceStats, type CacheStatsProvider } from '../metrics/database-stats.interface';
import type {
  DatabaseHealthReport,
  DatabaseHealthSummary,
  HealthCheckOutcome,
} from './database-health.interface';
import { describeError } from './describe-error';
import { HEALTH_MESSAGES, HEALTH_REASONS } from './health.messages';
import { MIGRATIONS_NOT_CHECKED } from './migrations-check';
import { HealthCheckTimeoutError, withTimeout } from './promise-timeout';
import { hasStorageStats, type StorageStats } from './storage-stats.interface';
import { summarizeHealth } from './summarize-health';
import { checkCache, checkPool, summarizeReport } from './usage-checks';

/**
 * Checks the database: connection (a ping), performance (ping latency against a threshold),
 * storage (database size and free disk, where the provider reports them) and migrations (pending
 * ones and schema drift, as found at boot). Each check has its own timeout; expected failures are
 * reported in the result, never thrown.
 */
@Injectable()
export class DatabaseHealthService {
  private cacheSource: CacheStatsProvider | undefined;

  constructor(
    @Inject(DATABASE_CONNECTION) private readonly connection: DatabaseConnection,
    @Inject(DATABASE_CONFIG) private readonly config: ResolvedDatabaseConfig,
  ) {}

  /**
   * Where the cache check reads hits and misses when the cache is not a layer of the adapter
   * (which it finds by its `cacheStats()`); `undefined` goes back to the adapter's.
   */
  useCacheStats(source: CacheStatsProvider | undefined): void {
    this.cacheSource = source;
  }

  /**
   * The checks cut down to what may be served without authentication (no path, host, disk
   * figure or error message); see {@link DatabaseHealthSummary}.
   */
  async checkHealthSummary(): Promise<DatabaseHealthSummary> {
    return summarizeReport(await this.checkHealth());
  }

  /**
   * Runs every check and sums them up: `healthy`, `degraded` (still serving) or `unhealthy`.
   * The report has every figure, paths and disk sizes included: serve it to operators only, and
   * {@link checkHealthSummary} to anyone else.
   */
  async checkHealth(): Promise<DatabaseHealthReport> {
    const { latencyThresholdMs } = this.config.health;
    const [{ outcome: connection, latencyMs }, storage] = await Promise.all([
      this.checkConnection(),
      this.checkStorage(),
    ]);
    let performance: HealthCheckOutcome;
    if (connection.status !== 'pass') {
      performance = {
        status: 'skip',
        message: HEALTH_MESSAGES.performanceSkipped,
        reason: HEALTH_REASONS.dependencyFailed,
      };
    } else if (latencyMs > latencyThresholdMs) {
      performance = {
        status: 'warn',
        message: HEALTH_MESSAGES.performanceSlow,
        reason: HEALTH_REASONS.slow,
        latencyMs,
        details: { thresholdMs: latencyThresholdMs },
      };
    } else {
      performance = {
        status: 'pass',
        message: HEALTH_MESSAGES.performanceOk,
        latencyMs,
        details: { thresholdMs: latencyThresholdMs },
      };
    }
    // Found once at boot and kept on the connection: this call reads no catalog.
    const migrations = this.connection.migrations ?? MIGRATIONS_NOT_CHECKED;
    const { adapter } = this.connection;
    const checks = {
      connection,
      performance,
      storage,
      migrations,
      pool: checkPool(adapter),
      cache: checkCache(adapter, this.cacheSource),
    };
    const { provider, configuredProvider, fallbackActive, fallbackReason } = this.connection;
    return {
      status: summarizeHealth(checks, fallbackActive),
      provider,
      configuredProvider,
      fallbackActive,
      ...(fallbackActive ? { fallbackReason } : {}),
      checks,
      latencyMs,
      timestamp: new Date().toISOString(),
    };
  }

  private async checkConnection(): Promise<{ outcome: HealthCheckOutcome; latencyMs: number }> {
    const started = performance.now();
    try {
      await withTimeout(this.connection.adapter.ping(), this.config.health.checkTimeoutMs);
      const latencyMs = performance.now() - started;
      return {
        outcome: {
          status: 'pass',
          message: HEALTH_MESSAGES.connectionOk,
          latencyMs,
          ...this.resilienceDetails(),
        },
        latencyMs,
      };
    } catch (error) {
      const latencyMs = performance.now() - started;
      const timedOut = error instanceof HealthCheckTimeoutError;
      return {
        outcome: {
          status: 'fail',
          message: timedOut ? HEALTH_MESSAGES.connectionTimeout : HEALTH_MESSAGES.connectionFailed,
          reason: timedOut ? HEALTH_REASONS.timeout : HEALTH_REASONS.error,
          ...(timedOut ? {} : { error: describeError(error) }),
          latencyMs,
          ...this.resilienceDetails(),
        },
        latencyMs,
      };
    }
  }

  /** The circuit breaker's state and retry counters, when the adapter is wrapped for resilience. */
  private resilienceDetails(): { details?: Record<string, unknown> } {
    const adapter = this.connection.adapter;
    if (!hasResilienceStats(adapter)) return {};
    const { circuitState, retries, exhausted } = adapter.resilienceStats();
    return { details: { circuit: circuitState, retries, exhausted } };
  }

  private async checkStorage(): Promise<HealthCheckOutcome> {
    try {
      const stats = await withTimeout(this.readStorage(), this.config.health.checkTimeoutMs);
      if (!stats) {
        return {
          status: 'skip',
          message: HEALTH_MESSAGES.storageNotReported,
          reason: HEALTH_REASONS.notReported,
        };
      }
      const details = { ...stats, minFreeDiskBytes: this.config.health.minFreeDiskBytes };
      if (
        stats.freeDiskBytes !== undefined &&
        stats.freeDiskBytes < this.config.health.minFreeDiskBytes
      ) {
        return {
          status: 'warn',
          message: HEALTH_MESSAGES.storageLowDisk,
          reason: HEALTH_REASONS.lowDisk,
          details,
        };
      }
      return { status: 'pass', message: HEALTH_MESSAGES.storageOk, details };
    } catch (error) {
      const timedOut = error instanceof HealthCheckTimeoutError;
      return {
        status: 'fail',
        message: timedOut ? HEALTH_MESSAGES.storageTimeout : HEALTH_MESSAGES.storageFailed,
        reason: timedOut ? HEALTH_REASONS.timeout : HEALTH_REASONS.error,
        ...(timedOut ? {} : { error: describeError(error) }),
      };
    }
  }

  /**
   * The adapter's own figures when it offers them, completed from the file system for a database
   * file; for SQLite without them, the configured file is measured directly.
   */
  private async readStorage(): Promise<StorageStats | undefined> {
    const { adapter, provider } = this.connection;
    let stats: StorageStats | undefined;
    if (hasStorageStats(adapter)) stats = await adapter.storageStats();
    else if (provider === 'sqlite' && this.config.sqlite.path !== ':memory:') {
      stats = { path: this.config.sqlite.path };
    }
    const filePath = stats?.path === ':memory:' ? undefined : stats?.path;
    if (!stats || !filePath) return stats;
    const filled = { ...stats };
    if (filled.databaseBytes === undefined) filled.databaseBytes = (await stat(filePath)).size;
    if (filled.freeDiskBytes === undefined) {
      const fs = await statfs(dirname(filePath));
      filled.freeDiskBytes = Number(fs.bavail) * Number(fs.bsize);
    }
    return filled;
  }
}
