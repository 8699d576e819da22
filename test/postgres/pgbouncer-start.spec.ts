/**
 * The test set-up's PgBouncer (test/support/pgbouncer-process.ts) picks a free port, closes it,
 * and PgBouncer binds it a moment later: a parallel run may take the port in between. Such a
 * start is tried again on another port instead of failing the run, or of talking to whatever
 * took the port. And PgBouncer writes its pid file only after it logs that it listens, which on
 * a busy machine is seen in between: the start waits for both.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * A stand-in for `pgbouncer -d <ini>` that logs "listening" at once and writes its pid file
 * 300 ms later from the background process that stays running, as a slow daemon would.
 */
const SLOW_PIDFILE_BOUNCER = `#!/bin/sh
setting() { sed -n "s/^$1 = //p" "$2"; }
log=$(setting logfile "$2"); pidfile=$(setting pidfile "$2"); port=$(setting listen_port "$2")
echo "LOG listening on 127.0.0.1:$port" >> "$log"
(sleep 0.3; exec sh -c 'echo $$ > "$0"; exec sleep 30' "$pidfile") >/dev/null 2>&1 &
`;

describe('starting the test PgBouncer on a busy machine', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ndl-fake-bouncer-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'pgbouncer'), SLOW_PIDFILE_BOUNCER);
    chmodSync(join(dir, 'pgbouncer'), 0o755);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('waits for the pid file PgBouncer writes after it logs that it listens', async () => {
    const bouncer = await startPgBouncer(
      join(dir, 'pgbouncer'),
      'postgresql://postgres@127.0.0.1:5432/postgres',
    );
    try {
      expect(bouncer.pid).toBeGreaterThan(0);
      expect(() => process.kill(bouncer.pid, 0)).not.toThrow();
    } finally {
      await stopPgBouncer(bouncer.pid, bouncer.dir);
    }
  });
});
