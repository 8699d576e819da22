import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { REPO_ROOT } from '../../support/packed-library';
import { runCommand, runOk } from '../../support/run-command';

/** The app template a new user writes, copied into the temporary app directory. */
const APP_TEMPLATE = resolve(__dirname, '../new-user-app');

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
  /**
   * How better-sqlite3 got its native binary: `copied` from the repository's own build, or
   * `compiled` by `npm rebuild` when that build did not fit.
   */
  readonly sqliteBinary: 'copied' | 'compiled';
}

/**
 * Copies the app template into `dir` and installs the tarball and the app's packages with npm, as
 * a new user does, with one difference: install scripts are skipped, and better-sqlite3's binary
 * comes from {@link installSqliteBinary} (docs/decisions.md › the new-user e2e install).
 */
export async function createApp(dir: string, tarball: string): Promise<NewUserApp> {
  cpSync(APP_TEMPLATE, dir, { recursive: true });
  await runOk(
    'npm',
    [
      'install',
      '--ignore-scripts',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      tarball,
      ...appPackageSpecs(),
    ],
    { cwd: dir, timeoutMs: 480_000 },
  );
  return { dir, sqliteBinary: await installSqliteBinary(dir) };
}

/** Where better-sqlite3 keeps its native binary, inside its package folder. */
const SQLITE_BINARY = join('build', 'Release', 'better_sqlite3.node');

/**
 * Gives the app's better-sqlite3 the native binary its install script would have downloaded
 * (prebuild-install; the download fails offline) or compiled (node-gyp, over a minute): the
 * repository's own build, when it is the same better-sqlite3 version and loads in this Node;
 * otherwise `npm rebuild better-sqlite3` runs the install script after all.
 */
async function installSqliteBinary(appDir: string): Promise<'copied' | 'compiled'> {
  const installed = join(appDir, 'node_modules', 'better-sqlite3');
  const built = join(REPO_ROOT, 'node_modules', 'better-sqlite3');
  if (versionOf(installed) === versionOf(built) && existsSync(join(built, SQLITE_BINARY))) {
    mkdirSync(dirname(join(installed, SQLITE_BINARY)), { recursive: true });
    cpSync(join(built, SQLITE_BINARY), join(installed, SQLITE_BINARY));
    const loaded = await runCommand(
      process.execPath,
      ['-e', "new (require('better-sqlite3'))(':memory:').close()"],
      { cwd: appDir },
    );
    if (loaded.code === 0) return 'copied';
  }
  await runOk('npm', ['rebuild', 'better-sqlite3'], { cwd: appDir, timeoutMs: 480_000 });
  return 'compiled';
}

function versionOf(packageDir: string): string | undefined {
  try {
    return (
      JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return undefined;
  }
}

/**
 * The library's migrations for a dialect as the installed package ships them, `<version>_<name>`
 * each, in order.
 */
export function shippedMigrations(app: NewUserApp, dialect: 'sqlite' | 'postgres'): string[] {
  return migrationsIn(join(app.dir, 'node_modules', 'nest-data-layer', 'migrations', dialect));
}

/** The app's own migrations for a dialect, `<version>_<name>` each, in order. */
export function appMigrations(app: NewUserApp, dialect: 'sqlite' | 'postgres'): string[] {
  return migrationsIn(join(app.dir, 'migrations', dialect));
}

function migrationsIn(folder: string): string[] {
  return readdirSync(folder)
    .filter((file) => file.endsWith('.up.sql'))
    .map((file) => file.replace(/\.up\.sql$/, ''))
    .sort();
}
