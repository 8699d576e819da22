import { timingSafeEqual } from 'node:crypto';
import {
  Controller,
  Get,
  Headers,
  NotFoundException,
  Res,
  UnauthorizedException,
} from '@nestjs/common';
import {
  DatabaseHealthService,
  DatabaseMetricsService,
  type DatabaseHealthReport,
  type DatabaseHealthSummary,
} from '../../src';

/** The few Express response methods used here (the example runs on @nestjs/platform-express). */
interface Response {
  status(code: number): Response;
  type(contentType: string): Response;
  json(body: unknown): void;
  send(body: string): void;
}

/** Whether `authorization` is `Bearer <token>`, compared in constant time. */
function bearerMatches(authorization: string | undefined, token: string): boolean {
  const given = Buffer.from(authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Health and metrics of the database. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: DatabaseHealthService,
    private readonly metrics: DatabaseMetricsService,
  ) {}

  /**
   * The summary, safe without authentication (no path, host, disk figure or error message):
   * 200 when healthy or degraded (still serving), 503 when unhealthy.
   */
  @Get('health')
  async check(@Res({ passthrough: true }) res: Response): Promise<DatabaseHealthSummary> {
    const summary = await this.health.checkHealthSummary();
    res.status(summary.status === 'unhealthy' ? 503 : 200);
    return summary;
  }

  /**
   * The full report, for operators: only with `Authorization: Bearer <HEALTH_DETAILS_TOKEN>`,
   * and not at all (404) while that variable is unset.
   */
  @Get('health/details')
  async details(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<DatabaseHealthReport> {
    const token = process.env.HEALTH_DETAILS_TOKEN;
    if (!token) throw new NotFoundException();
    if (!bearerMatches(authorization, token)) throw new UnauthorizedException();
    const report = await this.health.checkHealth();
    res.status(report.status === 'unhealthy' ? 503 : 200);
    return report;
  }

  /** Query counts, errors and latency percentiles per operation and table, plus database figures. */
  @Get('metrics')
  async snapshot(): Promise<Record<string, unknown>> {
    return { ...this.metrics.snapshot(), database: await this.metrics.collectStats() };
  }

  /** The same in Prometheus' text format, when prom-client is installed. */
  @Get('metrics/prometheus')
  async prometheus(@Res() res: Response): Promise<void> {
    const registry = this.metrics.prometheusRegistry;
    if (!registry) {
      res.status(404).json({ statusCode: 404, message: 'prom-client is not installed' });
      return;
    }
    res.type(registry.contentType).send(await registry.metrics());
  }
}
