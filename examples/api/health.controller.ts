import { Controller, Get, Res } from '@nestjs/common';
import {
  DatabaseHealthService,
  DatabaseMetricsService,
  type DatabaseHealthReport,
} from '../../src';

/** The few Express response methods used here (the example runs on @nestjs/platform-express). */
interface Response {
  status(code: number): Response;
  type(contentType: string): Response;
  json(body: unknown): void;
  send(body: string): void;
}

/** Health and metrics of the database. */
@Controller()
export class HealthController {
  constructor(
    private readonly health: DatabaseHealthService,
    private readonly metrics: DatabaseMetricsService,
  ) {}

  /** 200 when healthy or degraded (still serving), 503 when unhealthy; the report either way. */
  @Get('health')
  async check(@Res({ passthrough: true }) res: Response): Promise<DatabaseHealthReport> {
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
