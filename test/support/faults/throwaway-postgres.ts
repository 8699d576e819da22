import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../free-port';

const run = promisify(execFile);

/** Where Debian puts the server binaries of each major version. */
const BIN_DIRS = [
  '/usr/lib/postgresql/17/bin',
  '/usr/lib/postgresql/16/bin',
  '/usr/lib/postgresql/15/bin',
];

/** A PostgreSQL server of its own (own port and data directory) that a test may stop and start. */
export interface ThrowawayPostgres {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  start(): Promise<void>;
  /** Stops it like an outage: `-m immediate` drops every connection at once. */
  stop(): Promise<void>;
  /** Stops it if running and deletes its data directory. */
  destroy(): Promise<void>;
}

/**
 * Why a throwaway server cannot be made here (not Linux, no binaries, root with no `postgres`
 * user), or undefined when it can: then a server that does not start is a broken set-up, and
 * the tests that need it fail. The shared server on 5432 is never touched: this makes its own
 * on a free port.
 */
export function throwawayPostgresSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'throwaway PostgreSQL servers are only set up on Linux';
  if (!BIN_DIRS.some((dir) => existsSync(join(dir, 'pg_ctl')))) {
    return `no PostgreSQL server binaries in ${BIN_DIRS.join(', ')}`;
  }
  if (process.getuid?.() === 0 && !postgresUserExists()) {
    return 'running as root, and there is no postgres user to run a server as (PostgreSQL refuses root)';
  }
  return undefined;
}

function postgresUserExists(): boolean {
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates a data directory with initdb (as the `postgres` OS user when running as root, which
 * PostgreSQL refuses) and starts a server on a free port, listening on 127.0.0.1 only.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = BIN_DIRS.find((dir) => existsSync(join(dir, 'pg_ctl')));
  if (!bin) throw new Error(throwawayPostgresSkipReason());
  const asRoot = process.getuid?.() === 0;
  const exec = (file: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bin, file), ...args])
      : run(join(bin, file), args);
  const dir = await mkdtemp(join(tmpdir(), 'ndl-pg-'));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    await chown(dir, Number(stdout.trim()), Number(gid.trim()));
    await chmod(dir, 0o700);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  let running = false;
  const handle: ThrowawayPostgres = {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await exec('pg_ctl', [
        '-D',
        data,
        '-l',
        join(dir, 'server.log'),
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        '-w',
        '-t',
        '30',
        'start',
      ]);
      running = true;
    },
    async stop() {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      running = false;
    },
    async destroy() {
      if (running) await handle.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await handle.start();
  } catch (error) {
    await handle.destroy();
    throw error;
  }
  return handle;
}
