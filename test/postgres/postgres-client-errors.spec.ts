import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { PostgresDriver } from '../../src/adapters/postgres/postgres.driver';
import { resolvePostgresOptions } from '../../src/adapters/postgres/postgres-adapter.options';
import { checkOut } from '../../src/adapters/postgres/postgres-connections';

/** One protocol message: a type byte, its length, its body. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'ascii');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function int32s(...values: number[]): Buffer {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => buffer.writeInt32BE(value, i * 4));
  return buffer;
}

/**
 * The server's side of a connection that completes and is terminated at once
 * (pg_terminate_backend landing just after the startup): AuthenticationOk, BackendKeyData and
 * ReadyForQuery, then a FATAL 57P01, all in one write — so pg parses the error in the same
 * synchronous run that hands the new client to the pool's caller, before any listener of the
 * caller can be attached.
 */
function startupThenTerminate(): Buffer {
  const fields = [
    'SFATAL',
    'VFATAL',
    'C57P01',
    'Mterminating connection due to administrator command',
  ];
  const error = Buffer.concat([...fields.map((f) => Buffer.from(`${f}\0`)), Buffer.from([0])]);
  return Buffer.concat([
    message('R', int32s(0)),
    message('K', int32s(4242, 1)),
    message('Z', Buffer.from('I')),
    message('E', error),
  ]);
}

describe('a PostgreSQL connection terminated as it opens', () => {
  let server: Server;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    server = createServer((socket) => {
      sockets.add(socket);
      socket.once('data', () => socket.write(startupThenTerminate()));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('never leaves the client without an error listener, so the process does not crash', async () => {
    const { port } = server.address() as AddressInfo;
    const driver = new PostgresDriver(
      resolvePostgresOptions({ connectionString: `postgresql://app@127.0.0.1:${port}/app` }),
    );
    const uncaught: unknown[] = [];
    const record = (error: unknown): void => void uncaught.push(error);
    process.on('uncaughtException', record);
    try {
      const checkedOut = await checkOut(driver.pool);
      await new Promise((resolve) => setTimeout(resolve, 50));
      checkedOut.release(new Error('done'));
    } finally {
      process.removeListener('uncaughtException', record);
      await driver.pool.end().catch(() => undefined);
    }
    expect(uncaught).toEqual([]);
  });
});
