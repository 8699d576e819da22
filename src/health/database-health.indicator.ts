import { Injectable } from '@nestjs/common';
import type { DatabaseHealthIndicatorResult } from './database-health.interface';
import { DatabaseHealthService } from './database-health.service';

/**
 * A health indicator in the shape @nestjs/terminus expects, without depending on Terminus:
 * `{ [key]: { status: 'up' | 'down', ... } }`. `degraded` counts as up (the database serves
 * requests); only `unhealthy` is down. Failures are returned as `down`, never thrown, which
 * Terminus 11 reports as an error (with Terminus 10, throw its HealthCheckError on `down`).
 *
 * @example
 * this.health.check([() => this.database.isHealthy('database')]);
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(private readonly health: DatabaseHealthService) {}

  /** Runs the checks and reports them under `key`. Default key is `database`. */
  async isHealthy(key = 'database'): Promise<DatabaseHealthIndicatorResult> {
    const report = await this.health.checkHealth();
    const failed = Object.entries(report.checks)
      .filter(([, check]) => check.status === 'fail' || check.status === 'warn')
      .map(([name, check]) => ({ check: name, reason: check.reason, message: check.message }));
    return {
      [key]: {
        status: report.status === 'unhealthy' ? 'down' : 'up',
        health: report.status,
        provider: report.provider,
        fallbackActive: report.fallbackActive,
        latencyMs: Math.round(report.latencyMs),
        ...(failed.length > 0 ? { problems: failed } : {}),
      },
    };
  }
}
