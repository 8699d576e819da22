import { spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  symlinkSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository this test runs in. */
export const REPO_ROOT = resolve(__dirname, '../../..');

/** The app template a new user writes, copied into the temporary app directory. */
const APP_TEMPLATE = resolve(__dirname, '../new-user-app');

/** What a command printed and how it ended. */
export interface CommandResult {
  code: number | null;
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
 * sets for `npm test` (npm_config_* would configure the app's own npm), Jest's worker id.
 */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
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
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
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
    throw new Error(
      `${command} ${args.join(' ')} (in ${options.cwd}) exited with ${result.code}\n` +
        `--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`,
    );
  }
  return result;
}

/**
 * `npm pack` of the working tree as a fresh clone would pack it: the tracked and unignored files
 * are copied to `workDir`, where prepack builds dist/, so the repository's own dist/ (which may
 * hold stale files) is neither packed nor rewritten while other tests read it. Returns the
 * tarball's path.
 */
export async function packLibrary(workDir: string): Promise<string> {
  const source = join(workDir, 'source');
  const listed = await runOk(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: REPO_ROOT },
  );
  for (const file of listed.stdout.split('\0')) {
    if (file === '' || !existsSync(join(REPO_ROOT, file))) continue;
    mkdirSync(dirname(join(source, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(source, file));
  }
  symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules')), join(source, 'node_modules'), 'dir');
  const { stdout } = await runOk('npm', ['pack', '--pack-destination', workDir], {
    cwd: source,
    timeoutMs: 180_000,
  });
  const tarball = stdout.trim().split('\n').at(-1) ?? '';
  if (!tarball.endsWith('.tgz')) throw new Error(`npm pack printed no tarball name:\n${stdout}`);
  return join(workDir, tarball);
}

/** The packages the app installs beside the tarball, at the ranges the repository uses. */
const APP_PACKAGES = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/testing',
  'reflect-metadata',
  'rxjs',
  'typescript',
  '@types/node',
  'jest',
  'ts-jest',
  '@types/jest',
  'supertest',
  '@types/supertest',
];

/** `name@range` for each package, the range read from the repository's package.json. */
function appPackageSpecs(): string[] {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  return APP_PACKAGES.map((name) => {
    const range = manifest.devDependencies[name];
    if (!range) throw new Error(`${name} is not a devDependency of the repository`);
    return `${name}@${range}`;
  });
}

/** A new user's app in a temporary directory, its dependencies installed. */
export interface NewUserApp {
  /** The app's root directory: its package.json, src/, migrations/ and node_modules. */
  readonly dir: string;
}

/**
 * Copies the app template into `dir` and installs the tarball and the app's packages with npm, as
 * a new user does (better-sqlite3 compiles here unless a prebuilt binary downloads).
 */
export async function createApp(dir: string, tarball: string): Promise<NewUserApp> {
  cpSync(APP_TEMPLATE, dir, { recursive: true });
  await runOk(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, ...appPackageSpecs()],
    { cwd: dir, timeoutMs: 480_000 },
  );
  return { dir };
}

/**
 * The library's migrations for a dialect as the installed package ships them, `<version>_<name>`
 * each, in order.
 */
export function shippedMigrations(app: NewUserApp, dialect: 'sqlite' | 'postgres'): string[] {
  const folder = join(app.dir, 'node_modules', 'nest-data-layer', 'migrations', dialect);
  return readdirSync(folder)
    .filter((file) => file.endsWith('.up.sql'))
    .map((file) => file.replace(/\.up\.sql$/, ''))
    .sort();
}
