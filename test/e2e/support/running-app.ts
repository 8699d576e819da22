import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from '../../support/free-port';
import { childEnv } from '../../support/run-command';

/** The compiled app, serving HTTP on a loopback port. */
export interface RunningApp {
  readonly url: string;
  /** Stops it (SIGTERM, then SIGKILL after 10 s) and returns what it printed. */
  stop(): Promise<string>;
}

/**
 * Starts `node dist/main.js` in the app directory with `env` added, and resolves once it answers
 * HTTP. Rejects with its output when it exits first or does not answer within `timeoutMs`.
 */
export async function startApp(
  dir: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<RunningApp> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/main.js'], {
    cwd: dir,
    env: childEnv({ ...env, PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`The app exited with ${child.exitCode} before serving:\n${output}`);
    }
    if (await answers(url)) break;
    if (Date.now() > deadline) {
      await stopChild(child, exited);
      throw new Error(`The app did not answer on ${url} within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    async stop() {
      await stopChild(child, exited);
      return output;
    },
  };
}

/** Whether anything answers HTTP at the URL (any status). */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A JSON request to the running app: the status and the parsed body. */
export async function requestJson(
  app: RunningApp,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
