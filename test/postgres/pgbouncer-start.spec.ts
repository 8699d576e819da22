/**
 * The test set-up's PgBouncer (test/support/pgbouncer-process.ts) picks a free port, closes it,
 * and PgBouncer binds it a moment later: a parallel run may take the port in between. Such a
 * start is tried again on another port instead of failing the run, or of talking to whatever
 * took the port.
 */
import { createServer, type Server } from 'node:net';
import { Client } from 'pg';
import { freePort } from '../support/free-port';
import { findPgBouncer, startPgBouncer, stopPgBouncer } from '../support/pgbouncer-process';
import { describeWithPostgres } from '../support/postgres';

const binary = findPgBouncer();
const describeWithBinary: (name: string, fn: () => void) => void = binary
  ? describeWithPostgres
  : (name, fn) => describe.skip(`${name} [skipped: pgbouncer is not installed]`, fn);

describeWithBinary('starting the test PgBouncer', () => {
  let squatter: Server;
  let taken: number;

  beforeAll(async () => {
    squatter = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    taken = (squatter.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => squatter.close(resolve));
  });

  it('tries another port when the one it picked was taken before PgBouncer bound it', async () => {
    const picks = [taken];
    const bouncer = await startPgBouncer(binary!, process.env.TEST_PG_ADMIN_URL!, [], {
      pickPort: async () => picks.shift() ?? freePort(),
    });
    try {
      // The taken port was tried first, and given up.
      expect(picks).toEqual([]);
      expect(new URL(bouncer.url).port).not.toBe(String(taken));
      const client = new Client({ connectionString: bouncer.url });
      await client.connect();
      try {
        await expect(client.query('SELECT 1 AS one')).resolves.toMatchObject({
          rows: [{ one: 1 }],
        });
      } finally {
        await client.end();
      }
    } finally {
      await stopPgBouncer(bouncer.pid, bouncer.dir);
    }
  });
});
