import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port';

const run = promisify(execFile);

/** The environment variables global setup uses to tell the workers about the PgBouncer. */
export const PGBOUNCER_ENV = {
  /** `postgresql://postgres@127.0.0.1:<port>/postgres`: the PgBouncer in front of the server. */
  url: 'TEST_PGBOUNCER_URL',
  /** Why there is none, when there is none. */
  skipReason: 'TEST_PGBOUNCER_SKIP_REASON',
  /** The PgBouncer process, for global teardown. */
  pid: 'TEST_PGBOUNCER_PID',
  /** Its temporary directory (config, auth file, log, pid file), removed by global teardown. */
  dir: 'TEST_PGBOUNCER_DIR',
} as const;

/** A PgBouncer started by {@link startPgBouncer}. */
export interface RunningPgBouncer {
  url: string;
  pid: number;
  dir: string;
}

/**
 * The pgbouncer executable: TEST_PGBOUNCER_BIN when set (a path that does not exist means "not
 * installed", to try the skip), else on PATH or where Debian installs it; undefined when none.
 */
export function findPgBouncer(): string | undefined {
  const chosen = process.env.TEST_PGBOUNCER_BIN;
  if (chosen !== undefined) return existsSync(chosen) ? chosen : undefined;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin'];
  return dirs.map((dir) => join(dir, 'pgbouncer')).find((file) => existsSync(file));
}

/**
 * The configuration of the test PgBouncer: transaction pooling, as Supabase's port 6543 runs,
 * with stock settings otherwise (no `ignore_startup_parameters`, no prepared-statement support:
 * 1.18 has none). Every database name is forwarded to the upstream server, so the per-test
 * databases created directly are reachable through it.
 */
function pgbouncerIni(dir: string, port: number, upstream: URL, extra: string): string {
  return `[databases]
* = host=${upstream.hostname} port=${upstream.port || '5432'}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = trust
auth_file = ${join(dir, 'userlist.txt')}
pool_mode = transaction
max_client_conn = 1000
default_pool_size = 20
; Test databases come and go: do not keep their server connections or pools around.
server_idle_timeout = 10
autodb_idle_timeout = 30
; A test that starves the pool fails within its own timeout instead of hanging.
query_wait_timeout = 20
log_connections = 0
log_disconnections = 0
logfile = ${logFile(dir, port)}
pidfile = ${pidFile(dir)}
${extra}`;
}

/** How many ports a start tries before it gives up. */
const START_ATTEMPTS = 4;

/** Options of {@link startPgBouncer}. */
export interface StartPgBouncerOptions {
  /** Picks the port to try next. Default is {@link freePort}. */
  pickPort?: () => Promise<number>;
}

/** How one start ended: running, or its port was taken (by another run) before it bound it. */
type StartOutcome = { pid: number } | 'port taken';

/**
 * Waits until PgBouncer's log says it listens on `port` (the port being open is not enough:
 * whoever took the port would answer) and its pid file names it (PgBouncer writes that just
 * after it logs that it listens), or until it says it could not, or gives up.
 */
async function awaitStarted(
  dir: string,
  port: number,
  deadline: number,
): Promise<{ log: string; pid: number }> {
  for (;;) {
    const log = await readFile(logFile(dir, port), 'utf8').catch(() => '');
    const pidText = await readFile(pidFile(dir), 'utf8').catch(() => '');
    const pid = Number(pidText.trim());
    const listening = log.includes(`listening on 127.0.0.1:${port}`);
    if ((listening && pid > 0) || /FATAL/.test(log) || Date.now() > deadline) return { log, pid };
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Starts PgBouncer with the configuration `ini` (which names `port`) once. */
async function startOnce(
  binary: string,
  dir: string,
  ini: string,
  port: number,
): Promise<StartOutcome> {
  const asRoot = process.getuid?.() === 0;
  await rm(pidFile(dir), { force: true });
  // -d: PgBouncer daemonizes and writes its pid file, so it is stopped by its own PID.
  await (asRoot
    ? run('runuser', ['-u', 'postgres', '--', binary, '-d', ini])
    : run(binary, ['-d', ini]));
  const { log, pid } = await awaitStarted(dir, port, Date.now() + 10_000);
  if (log.includes(`listening on 127.0.0.1:${port}`) && Number.isInteger(pid) && pid > 0) {
    return { pid };
  }
  if (pid > 0) await stopPgBouncer(pid);
  if (/cannot listen on .*Address already in use/.test(log)) return 'port taken';
  throw new Error(`PgBouncer did not start on port ${port}: ${log.trim().slice(-500)}`);
}

/** Each start logs to a file of its own, so one start never reads another's lines. */
function logFile(dir: string, port: number): string {
  return join(dir, `pgbouncer-${port}.log`);
}

/** The pid file PgBouncer writes once it runs. */
function pidFile(dir: string): string {
  return join(dir, 'pgbouncer.pid');
}

/**
 * Starts a PgBouncer in transaction mode on a free loopback port in front of the server of
 * `upstreamUrl`, with its config and auth file in a new temporary directory. PgBouncer refuses to
 * run as root, so under root it runs as the `postgres` user (which owns the directory). The port
 * is picked free, but PgBouncer binds it a moment later: when a parallel run took it in between,
 * another port is tried.
 */
export async function startPgBouncer(
  binary: string,
  upstreamUrl: string,
  /** More `[pgbouncer]` settings, one `key = value` a line. */
  extraSettings: readonly string[] = [],
  { pickPort = freePort }: StartPgBouncerOptions = {},
): Promise<RunningPgBouncer> {
  const upstream = new URL(upstreamUrl);
  const dir = await mkdtemp(join(tmpdir(), 'ndl-pgbouncer-'));
  try {
    // trust still needs the user listed; the password is unused.
    await writeFile(join(dir, 'userlist.txt'), `"${upstream.username || 'postgres'}" ""\n`);
    const owner = await postgresOwner();
    if (owner) await chown(dir, owner.uid, owner.gid);
    for (let attempt = 1; ; attempt++) {
      const port = await pickPort();
      const ini = join(dir, 'pgbouncer.ini');
      const extra = extraSettings.map((l) => `${l}\n`).join('');
      await writeFile(ini, pgbouncerIni(dir, port, upstream, extra));
      if (owner) {
        for (const file of [ini, join(dir, 'userlist.txt')]) {
          await chown(file, owner.uid, owner.gid);
        }
      }
      const outcome = await startOnce(binary, dir, ini, port);
      if (outcome !== 'port taken') {
        const url = new URL(upstreamUrl);
        url.hostname = '127.0.0.1';
        url.port = String(port);
        return { url: url.toString(), pid: outcome.pid, dir };
      }
      if (attempt === START_ATTEMPTS) {
        throw new Error(
          `PgBouncer found each of ${START_ATTEMPTS} free ports taken when it bound it`,
        );
      }
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** The `postgres` user's ids when running as root (PgBouncer then runs as that user). */
async function postgresOwner(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([
    run('id', ['-u', 'postgres']),
    run('id', ['-g', 'postgres']),
  ]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** Whether the process runs; a zombie (exited, not yet reaped by its parent) does not. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; Z is a zombie.
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Stops the PgBouncer of `pid` (SIGTERM: immediate shutdown, SIGKILL after 5 s) and removes `dir`. */
export async function stopPgBouncer(pid: number, dir?: string): Promise<void> {
  if (isAlive(pid)) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 5_000;
    while (isAlive(pid) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  if (dir) await rm(dir, { recursive: true, force: true });
}
