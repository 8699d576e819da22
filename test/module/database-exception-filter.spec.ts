import {
  Controller,
  Get,
  type INestApplication,
  Post,
  type LoggerService,
  Module,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { PostgresAdapter } from '../../src/adapters/postgres';
import { SQLiteAdapter } from '../../src/adapters/sqlite';
import type { IDatabaseAdapter } from '../../src/adapters/database-adapter.interface';
import { DATABASE_ADAPTER } from '../../src/database.constants';
import { ConnectionException, QueryException, ValidationException } from '../../src/exceptions';
import { DatabaseExceptionFilter, HTTP_ERROR_MESSAGES } from '../../src/http';
import { defineTable, type IBaseEntity } from '../../src/schema/table-definition';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';
import { makeTempSqliteDir } from './temp-sqlite';

interface IInvoice extends IBaseEntity {
  number: string;
}

/** A table no migration creates: every statement on it fails with "no such table". */
const invoicesTable = defineTable<IInvoice>({
  name: 'invoices',
  columns: { number: { type: 'string' } },
  softDelete: false,
});

/** Collects what the application logs, by level. */
class CapturingLogger implements LoggerService {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  log(): void {}
  warn(message: unknown): void {
    this.warnings.push(String(message));
  }
  debug(): void {}
  verbose(): void {}
  error(message: unknown, ...rest: unknown[]): void {
    this.errors.push([message, ...rest].map(String).join('\n'));
  }
}

@Controller('invoices')
class InvoicesController {
  static adapter: IDatabaseAdapter;
  @Post()
  create() {
    return InvoicesController.adapter.create({ number: 'INV-1' }, invoicesTable);
  }
  @Get()
  list() {
    return InvoicesController.adapter.findMany({}, invoicesTable);
  }
}

async function appOver(adapter: IDatabaseAdapter, logger: CapturingLogger) {
  InvoicesController.adapter = adapter;
  @Module({
    controllers: [InvoicesController],
    providers: [{ provide: DATABASE_ADAPTER, useValue: adapter }],
  })
  class InvoicesModule {}
  const moduleRef = await Test.createTestingModule({ imports: [InvoicesModule] }).compile();
  const app = moduleRef.createNestApplication({ logger });
  app.useGlobalFilters(new DatabaseExceptionFilter());
  await app.init();
  return app;
}

/** A 500 on a missing table: the body is the fixed text, the log has the driver's reason. */
async function expectLoggedButNotSent(
  app: INestApplication,
  logger: CapturingLogger,
  driverText: RegExp,
  code: string,
) {
  for (const call of [
    request(app.getHttpServer()).post('/invoices'),
    request(app.getHttpServer()).get('/invoices'),
  ]) {
    const response = await call;
    expect(response.status).toBe(500);
    expect(response.body).toEqual({
      statusCode: 500,
      code: 'QUERY_ERROR',
      message: HTTP_ERROR_MESSAGES.internal,
    });
    expect(JSON.stringify(response.body)).not.toMatch(driverText);
  }
  expect(logger.errors).toHaveLength(2);
  for (const entry of logger.errors) {
    expect(entry).toMatch(/QueryException/);
    expect(entry).toMatch(driverText);
    expect(entry).toContain(code);
    expect(entry).not.toContain('INV-1');
  }
}

describe('DatabaseExceptionFilter logs the cause chain of every 5xx, and sends none of it', () => {
  const tmp = makeTempSqliteDir('filter');
  afterAll(() => tmp.cleanup());

  it('SQLite: a missing table is logged as "no such table" with SQLITE_ERROR', async () => {
    const adapter = await SQLiteAdapter.open({ path: tmp.file(), migrate: true });
    const logger = new CapturingLogger();
    const app = await appOver(adapter, logger);
    try {
      await expectLoggedButNotSent(app, logger, /no such table: invoices/, 'SQLITE_ERROR');
    } finally {
      await app.close();
      await adapter.close();
    }
  });

  it('keeps secrets and row values out of the log: URL passwords, JWTs, keys, Key (…)=(…)', () => {
    const logger = new CapturingLogger();
    const filter = new DatabaseExceptionFilter(logger);
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl';
    const driver = Object.assign(
      new Error(
        'connect to postgresql://app:hunter2@db.internal:5432/app failed; ' +
          `Authorization: Bearer ${jwt}; apikey sb_secret_abc123; password=hunter2; ` +
          'Key (email)=(ann@example.com) already exists; ' +
          'invalid input syntax for type uuid: "ann@example.com"; ' +
          'Failing row contains (1, ann@example.com)',
      ),
      {
        code: '08006',
        detail: 'Key (email)=(ann@example.com) already exists.',
        constraint: 'users_email_key',
      },
    );
    const exception = new ConnectionException('The PostgreSQL connection failed or was lost', {
      cause: driver,
      details: { sqlState: '08006', sent: false, row: { email: 'ann@example.com' } },
    });
    const response = { status: () => response, json: () => response };
    const host = { switchToHttp: () => ({ getResponse: () => response }) };
    filter.catch(exception, host as never);
    // Unreachable is a warning without a stack, not an error (see the outage tests).
    expect(logger.errors).toEqual([]);
    const [entry] = logger.warnings;
    expect(entry).toMatch(/ConnectionException \(CONNECTION_ERROR\)/);
    expect(entry).toMatch(/caused by Error \(08006\)/);
    expect(entry).toContain('sqlState=08006');
    expect(entry).toContain('users_email_key');
    for (const secret of ['hunter2', jwt, 'sb_secret_abc123', 'ann@example.com']) {
      expect(entry).not.toContain(secret);
    }
  });

  it("logs the stack's frames only: its first lines, which repeat the message, are left out", () => {
    const logger = new CapturingLogger();
    const filter = new DatabaseExceptionFilter(logger);
    // A message that carries driver text (a mapper may quote it), over two lines.
    const exception = new QueryException(
      'insert failed: connect to postgresql://app:hunter2@db.internal/app\nFailing row contains (1, ann@example.com)',
    );
    const response = { status: () => response, json: () => response };
    const host = { switchToHttp: () => ({ getResponse: () => response }) };
    filter.catch(exception, host as never);
    const [entry] = logger.errors;
    for (const secret of ['hunter2', 'ann@example.com']) expect(entry).not.toContain(secret);
    // The frames are still there, so the log says where it was thrown.
    expect(entry).toMatch(/\n\s+at .*database-exception-filter\.spec\.ts/);
  });

  it('logs a 4xx not at all, and a long cause chain to a bounded depth', () => {
    const logger = new CapturingLogger();
    const filter = new DatabaseExceptionFilter(logger);
    const response = { status: () => response, json: () => response };
    const host = { switchToHttp: () => ({ getResponse: () => response }) };
    let cause: unknown = new Error('the root');
    for (let i = 0; i < 20; i++) cause = new Error(`level ${i}`, { cause });
    const looped: { message: string; cause?: unknown } = { message: 'a loop' };
    looped.cause = looped;
    filter.catch(new QueryException('deep', { cause }), host as never);
    filter.catch(new QueryException('looped', { cause: looped }), host as never);
    filter.catch(
      new ValidationException('email: a value has the wrong form', 'email', {
        cause: new Error('invalid input syntax'),
      }),
      host as never,
    );
    expect(logger.errors).toHaveLength(2);
    expect(logger.errors[0].split('caused by').length).toBeLessThanOrEqual(10);
    expect(logger.errors[1].match(/a loop/g)).toHaveLength(1);
  });
});

describeWithPostgres('DatabaseExceptionFilter on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('filter');
  });
  afterAll(() => database?.drop());

  it('a missing table is logged with its SQLSTATE 42P01 and the server message', async () => {
    const adapter = await PostgresAdapter.open({ connectionString: database.url, migrate: true });
    const logger = new CapturingLogger();
    const app = await appOver(adapter, logger);
    try {
      await expectLoggedButNotSent(app, logger, /relation "invoices" does not exist/, '42P01');
    } finally {
      await app.close();
      await adapter.close();
    }
  });
});
