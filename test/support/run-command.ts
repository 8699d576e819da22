import { spawn } from 'node:child_process';

/** What a command printed and how it ended. */
export interface CommandResult {
  /** The exit code; null when the command was killed (by a signal, or at its timeout). */
  code: number | null;
  /** Whether it was killed because it outlasted its timeout. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/** How {@link runCommand} runs a command. */
export interface CommandOptions {
  cwd: string;
  /** Added to the cleaned environment ({@link childEnv}). */
  env?: Record<string, string>;
  /** Killed after this long. Default is 120 000 ms. */
  timeoutMs?: number;
}

/**
 * The environment of a child process: this one's, without what would steer it away from what a
 * new user's shell has — the database settings of the developer's environment, the variables npm
 * sets for `npm test` (npm_config_* would configure the child's own npm), Jest's worker id.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Kept: the Node headers a native build must use when the suite runs on another Node line
    // (.ci/test-on-node.sh), so an `npm rebuild` in a child compiles for the running Node.
    if (key === 'npm_config_nodedir') {
      env[key] = value;
      continue;
    }
    if (/^(npm_|DATABASE_|SQLITE_|SUPABASE_|PGLITE_)/i.test(key)) continue;
    if (key === 'JEST_WORKER_ID' || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command to its end and returns its output; never throws for a non-zero exit. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<CommandResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: childEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 120_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, timedOut, stdout, stderr });
    });
  });
}

/** Runs a command that must succeed; the error carries its output when it does not. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    const ending = result.timedOut
      ? `was killed after ${options.timeoutMs ?? 120_000} ms`
      : `exited with ${result.code}`;
    throw new Error(
      `${command} ${args.join(' ')} (in ${options.cwd}) ${ending}\n` +
        `--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`,
    );
  }
  return result;
}
