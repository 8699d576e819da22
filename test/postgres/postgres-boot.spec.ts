import { connect, createServer, type Server, type Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { createDatabaseAdapter } from '../../src/adapters/create-database-adapter';
import { PostgresAdapter } from '../../src/adapters/postgres';
import { resolveDatabaseConfig } from '../../src/config';
import { ConnectionException } from '../../src/exceptions';
import { MigrationException } from '../../src/migrations';
import { freePort } from '../support/free-port';
import { describeWithPostgres } from '../support/postgres';
import { caught } from './postgres-test-helpers';

class QuietLogger extends Logger {
  override log(): void {}
  override warn(): void {}
}

const deps = { observer: { onQuery: () => undefined }, logger: new QuietLogger() };

/** The module's boot of `DATABASE_PROVIDER=postgres` with these environment values. */
function bootPostgres(env: Record<string, string>) {
  return createDatabaseAdapter(
    resolveDatabaseConfig({ env: { DATABASE_PROVIDER: 'postgres', ...env } }),
    deps,
  );
}

describe('the PostgreSQL boot settings', () => {
  const env = { DATABASE_PROVIDER: 'postgres', DATABASE_URL: 'postgresql://u@db.example:6543/app' };

  it('defaults to a 30 s wait, a 5 min lock limit and pooler auto', () => {
    expect(resolveDatabaseConfig({ env }).postgres).toMatchObject({
      pooler: 'auto',
      connectWaitMs: 30_000,
      migrationLockTimeoutMs: 300_000,
    });
  });

  it('reads DATABASE_POOLER, DATABASE_CONNECT_WAIT_MS and DATABASE_MIGRATION_LOCK_TIMEOUT_MS', () => {
    const config = resolveDatabaseConfig({
      env: {
        ...env,
        DATABASE_POOLER: 'Transaction',
        DATABASE_CONNECT_WAIT_MS: '1000',
        DATABASE_MIGRATION_LOCK_TIMEOUT_MS: '0',
      },
    });
    expect(config.postgres).toMatchObject({
      pooler: 'transaction',
      connectWaitMs: 1000,
      migrationLockTimeoutMs: 0,
    });
  });

  it('names every malformed one', () => {
    const error = (() => {
      try {
        resolveDatabaseConfig({
          env: { ...env, DATABASE_POOLER: 'pgbouncer', DATABASE_CONNECT_WAIT_MS: '-1' },
        });
      } catch (e) {
        return e as { problems: string[] };
      }
      throw new Error('expected a rejection');
    })();
    expect(error.problems).toEqual([
      'DATABASE_POOLER=pgbouncer is not one of auto, none, session, transaction',
      'DATABASE_CONNECT_WAIT_MS=-1 must be a whole number of milliseconds from 0 to 2147483647',
    ]);
  });
});

describe('booting against an unreachable PostgreSQL (a closed port)', () => {
  let url: string;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    url = `postgresql://postgres:secret@127.0.0.1:${port}/postgres`;
  });

  it.each(['true', 'false'])(
    'DATABASE_MIGRATE=%s: retries for DATABASE_CONNECT_WAIT_MS, then a ConnectionException says so',
    async (migrate) => {
      const error = await caught(() =>
        bootPostgres({
          DATABASE_URL: url,
          DATABASE_MIGRATE: migrate,
          DATABASE_CONNECT_WAIT_MS: '800',
        }),
      );

      expect(error).toBeInstanceOf(ConnectionException);
      expect(error).not.toBeInstanceOf(MigrationException);
      expect(error.message).toMatch(
        new RegExp(`PostgreSQL at 127\\.0\\.0\\.1:${port} was unreachable for \\d+ ms`),
      );
      expect(error.message).not.toContain('secret');
      const details = (error as ConnectionException).details!;
      expect(details.attempts).toBeGreaterThan(1);
      expect(details.unreachableMs).toBeGreaterThanOrEqual(800);
      expect(details.sent).toBe(false);
      expect((error.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    },
  );

  it('PostgresAdapter.open with migrate and no wait: one attempt, a ConnectionException', async () => {
    const error = await caught(() =>
      PostgresAdapter.open({ connectionString: url, migrate: true }),
    );
    expect(error).toBeInstanceOf(ConnectionException);
    expect((error as ConnectionException).details).toMatchObject({ attempts: 1, sent: false });
  });
});

describe('booting against a server that accepts connections and never answers', () => {
  let silent: Server;
  let port: number;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Like a host behind a firewall that drops packets, except that the TCP handshake completes:
    // every attempt waits for its whole connectionTimeoutMillis.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('gives up after DATABASE_CONNECT_WAIT_MS, not after a whole connection timeout more', async () => {
    const started = Date.now();
    const error = await caught(() =>
      PostgresAdapter.open({
        connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres`,
        connectWaitMs: 300,
        // Each attempt alone may take this long: the wait must cut the last one short.
        pool: { connectionTimeoutMillis: 4_000 },
      }),
    );
    const took = Date.now() - started;
    expect(error).toBeInstanceOf(ConnectionException);
    expect(error.message).toMatch(/was unreachable for \d+ ms/);
    expect(took).toBeLessThan(2_500);
  });
});

describeWithPostgres('booting while PostgreSQL comes up', () => {
  let proxy: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
  });

  it('waits for a server that starts listening during the wait, then boots', async () => {
    const upstream = new URL(process.env.TEST_PG_ADMIN_URL!);
    const port = await freePort();
    // Nothing listens on the port for the first 300 ms; then a TCP proxy to the real server does.
    const opening = setTimeout(() => {
      proxy = createServer((socket) => {
        const server = connect(Number(upstream.port || 5432), upstream.hostname);
        socket.on('error', () => server.destroy());
        server.on('error', () => socket.destroy());
        socket.pipe(server).pipe(socket);
      }).listen(port, '127.0.0.1');
    }, 300);
    try {
      const connection = await bootPostgres({
        DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/postgres`,
        DATABASE_MIGRATE: 'false',
        DATABASE_CONNECT_WAIT_MS: '10000',
      });
      await connection.adapter.close();
      expect(connection.provider).toBe('postgres');
    } finally {
      clearTimeout(opening);
    }
  });
});
