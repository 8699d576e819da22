import type { LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { createDatabaseAdapter } from '../../src/adapters/create-database-adapter';
import type { IDatabaseAdapter } from '../../src/adapters/database-adapter.interface';
import { resolveDatabaseConfig, type DatabaseModuleOptions } from '../../src/config';
import { DatabaseModule } from '../../src/database.module';
import { CircuitOpenException, ConnectionException } from '../../src/exceptions';
import { DatabaseExceptionFilter } from '../../src/http';
import { CIRCUIT_STATE_MESSAGES, withCircuitLog, withResilience } from '../../src/resilience';
import { usersTable } from '../../src/schema';
import { createTestDatabase, describeWithPostgres } from '../support/postgres';
import { makeTempSqliteDir } from './temp-sqlite';

const tmp = makeTempSqliteDir('operations-logs');
afterAll(() => tmp.cleanup());

/** Collects what is logged, by level, every argument joined. */
class CapturingLogger implements LoggerService {
  readonly lines: Array<{ level: string; text: string }> = [];
  private note(level: string, args: unknown[]): void {
    this.lines.push({ level, text: args.map(String).join(' ') });
  }
  log(...args: unknown[]): void {
    this.note('log', args);
  }
  warn(...args: unknown[]): void {
    this.note('warn', args);
  }
  error(...args: unknown[]): void {
    this.note('error', args);
  }
  debug(): void {}
  verbose(): void {}
  at(level: string): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.text);
  }
}

const quiet = { onQuery: () => undefined };

async function bootLineOf(options: DatabaseModuleOptions): Promise<string> {
  const logger = new CapturingLogger();
  const connection = await createDatabaseAdapter(resolveDatabaseConfig({ env: {}, ...options }), {
    observer: quiet,
    logger,
  });
  await connection.adapter.close();
  return logger.at('log').find((line) => line.startsWith('Database provider:'))!;
}

describe('the boot line: provider, database, migrations applied', () => {
  it('names a SQLite file by its base name and lists the migrations this boot applied', async () => {
    const path = tmp.file('boot');
    const first = await bootLineOf({ provider: 'sqlite', sqlite: { path } });
    expect(first).toMatch(
      /^Database provider: sqlite, file boot\.sqlite; \d+ migration\(s\) applied: 0001_\w+, /,
    );
    expect(first).not.toContain(tmp.file('x').split('/')[1]);
    expect(await bootLineOf({ provider: 'sqlite', sqlite: { path } })).toBe(
      'Database provider: sqlite, file boot.sqlite; no migration to apply',
    );
    expect(await bootLineOf({ provider: 'sqlite', sqlite: { path }, migrate: false })).toBe(
      'Database provider: sqlite, file boot.sqlite; migrations not run at boot (migrate: false)',
    );
  });
});

describeWithPostgres('the boot line on PostgreSQL', () => {
  it('names a PostgreSQL database and host, never its user or password', async () => {
    const database = await createTestDatabase('boot-line');
    const withPassword = new URL(database.url);
    withPassword.password = 'not-really-secret';
    const line = await bootLineOf({
      provider: 'postgres',
      postgres: { connectionString: withPassword.toString() },
      migrate: false,
    });
    expect(line).toBe(
      `Database provider: postgres, database "${withPassword.pathname.slice(1)}" on ` +
        `${withPassword.host}; migrations not run at boot (migrate: false)`,
    );
    expect(line).not.toContain('not-really-secret');
    await database.drop();
  });
});

describe('an outage in the log: one line per circuit state change', () => {
  it('logs open as a warning, half-open and closed as lines, and nothing per failed call', async () => {
    const logger = new CapturingLogger();
    let now = 0;
    let up = false;
    const down = new ConnectionException('connect ECONNREFUSED 127.0.0.1:5432');
    const answer = () => (up ? Promise.resolve([]) : Promise.reject(down));
    const database = {
      provider: 'postgres',
      capabilities: {},
      findMany: answer,
      ping: () => answer().then(() => undefined),
    } as unknown as IDatabaseAdapter;
    const adapter = withResilience(
      database,
      withCircuitLog(
        {
          retry: { connectionAttempts: 1 },
          circuitBreaker: { failureThreshold: 2, initialCooldownMs: 1000, now: () => now },
        },
        logger,
      ),
    );
    const filter = new DatabaseExceptionFilter(logger, { now: () => now });
    const response = { status: () => response, json: () => response };
    const host = { switchToHttp: () => ({ getResponse: () => response }) } as never;
    const request = async () => {
      try {
        await adapter.findMany({}, usersTable);
      } catch (error) {
        filter.catch(error as ConnectionException, host);
      }
    };

    for (let i = 0; i < 50; i += 1) await request(); // opens after 2; 48 fail fast
    now = 1000;
    await request(); // half-open: the trial ping fails, open again
    now = 3000;
    up = true;
    await request(); // half-open: the trial succeeds, closed
    expect(logger.at('error')).toEqual([]);
    const circuit = logger.lines.filter((line) => line.text.startsWith('Database circuit'));
    expect(circuit).toEqual([
      { level: 'warn', text: `${CIRCUIT_STATE_MESSAGES.open} (was closed)` },
      { level: 'log', text: `${CIRCUIT_STATE_MESSAGES['half-open']} (was open)` },
      { level: 'warn', text: `${CIRCUIT_STATE_MESSAGES.open} (was half-open)` },
      { level: 'log', text: `${CIRCUIT_STATE_MESSAGES['half-open']} (was open)` },
      { level: 'log', text: `${CIRCUIT_STATE_MESSAGES.closed} (was half-open)` },
    ]);
    // The two calls that reached the database before it opened: one warning, no stack.
    const unavailable = logger.at('warn').filter((text) => text.includes('unavailable'));
    expect(unavailable).toHaveLength(1);
    expect(unavailable[0]).not.toMatch(/\n\s+at /);
  });

  it('warns about an unreachable database at most once per interval, with the count since', () => {
    const logger = new CapturingLogger();
    let now = 0;
    const filter = new DatabaseExceptionFilter(logger, {
      unavailableLogIntervalMs: 60_000,
      now: () => now,
    });
    const response = { status: () => response, json: () => response };
    const host = { switchToHttp: () => ({ getResponse: () => response }) } as never;
    for (let i = 0; i < 100; i += 1) {
      filter.catch(new ConnectionException('connection lost'), host);
      filter.catch(new CircuitOpenException('failing fast'), host);
    }
    now = 60_000;
    filter.catch(new ConnectionException('connection lost'), host);
    expect(logger.at('error')).toEqual([]);
    expect(logger.at('warn')).toEqual([
      expect.stringMatching(/^The database is unavailable: ConnectionException/),
      expect.stringMatching(/and 99 more request\(s\) failed this way since the last warning\)$/),
    ]);
  });
});

describe('DatabaseModule at boot', () => {
  it('logs the boot line through the application’s logger', async () => {
    const logger = new CapturingLogger();
    const moduleRef = await Test.createTestingModule({
      imports: [
        DatabaseModule.forRoot({
          provider: 'sqlite',
          sqlite: { path: tmp.file('wired') },
          env: {},
        }),
      ],
    })
      .setLogger(logger)
      .compile();
    const app = await moduleRef.init();
    try {
      expect(logger.at('log')).toContainEqual(
        expect.stringMatching(/^Database provider: sqlite, file wired\.sqlite; \d+ migration/),
      );
    } finally {
      await app.close();
    }
  });
});
