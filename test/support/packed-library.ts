import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { runOk } from './run-command';

/** The repository the tests run in. */
export const REPO_ROOT = resolve(__dirname, '../..');

/** Where packed tarballs are kept between test files and runs, one per working-tree hash. */
const CACHE_DIR = join(tmpdir(), 'ndl-pack-cache');

/** Cached tarballs of other trees older than this are removed when a new one is made. */
const CACHE_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** How long a test waits for another process that is packing the same tree. */
const WAIT_FOR_OTHER_PACK_MS = 600_000;

/** A lock directory without its pid file yet is taken to be in the making for this long. */
const LOCK_GRACE_MS = 10_000;

/** The working tree as a fresh clone has it: tracked and unignored files, and their hash. */
interface WorkingTree {
  readonly files: readonly string[];
  /** sha256 over every file's path and content, in `git ls-files` order. */
  readonly hash: string;
}

async function workingTree(): Promise<WorkingTree> {
  const listed = await runOk(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: REPO_ROOT },
  );
  const hash = createHash('sha256');
  const files: string[] = [];
  for (const file of listed.stdout.split('\0')) {
    // A tracked file deleted in the working tree is not in a clone of it either.
    if (file === '' || !existsSync(join(REPO_ROOT, file))) continue;
    const content = readFileSync(join(REPO_ROOT, file));
    hash.update(`${file}\0${content.length}\0`).update(content);
    files.push(file);
  }
  return { files, hash: hash.digest('hex').slice(0, 32) };
}

/**
 * The tarball `npm pack` makes of a fresh clone of the working tree: the tracked and unignored
 * files are copied to a temporary directory, where prepack builds dist/, so the repository's own
 * dist/ (which may hold stale files) is neither packed nor rewritten while other tests read it.
 *
 * The tarball is kept in the OS temp directory under the tree's content hash, so the test files
 * that need it (packaging, the new-user e2e) pack once per run, and again only when a file
 * changes. While one process packs a tree, others needing the same tree wait for it; a process
 * that died while packing leaves a lock that the next one takes over.
 */
export async function packLibrary(): Promise<string> {
  const tree = await workingTree();
  const tarball = join(CACHE_DIR, `${tree.hash}.tgz`);
  const lock = join(CACHE_DIR, `${tree.hash}.lock`);
  mkdirSync(CACHE_DIR, { recursive: true });
  const deadline = Date.now() + WAIT_FOR_OTHER_PACK_MS;
  while (!existsSync(tarball)) {
    if (takeLock(lock)) {
      try {
        if (!existsSync(tarball)) await packInto(tree, tarball);
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    } else if (Date.now() > deadline) {
      throw new Error(`Another process has been packing ${tarball} for too long (lock ${lock})`);
    } else {
      await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    }
  }
  return tarball;
}

/** Packs a copy of the tree and moves the tarball to `tarball` in one rename. */
async function packInto(tree: WorkingTree, tarball: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'ndl-pack-'));
  try {
    const source = join(work, 'source');
    for (const file of tree.files) {
      mkdirSync(dirname(join(source, file)), { recursive: true });
      cpSync(join(REPO_ROOT, file), join(source, file));
    }
    symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules')), join(source, 'node_modules'), 'dir');
    const { stdout } = await runOk('npm', ['pack', '--pack-destination', work], {
      cwd: source,
      timeoutMs: 300_000,
    });
    const packed = stdout.trim().split('\n').at(-1) ?? '';
    if (!packed.endsWith('.tgz')) throw new Error(`npm pack printed no tarball name:\n${stdout}`);
    const partial = `${tarball}.${process.pid}.partial`;
    cpSync(join(work, packed), partial);
    renameSync(partial, tarball);
    removeOldTarballs(tarball);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Takes the pack lock of a tree (a directory holding the packer's pid); false when a live
 * process holds it. A lock whose process is gone is removed, so the next call takes it.
 */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (!holderIsGone(lock)) return false;
  rmSync(lock, { recursive: true, force: true });
  return false;
}

function holderIsGone(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    // Between the holder's mkdir and its pid file; or a holder that died in between.
    return ageMs(lock) > LOCK_GRACE_MS;
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function removeOldTarballs(keep: string): void {
  for (const entry of readdirSync(CACHE_DIR)) {
    const path = join(CACHE_DIR, entry);
    if (path !== keep && entry.endsWith('.tgz') && ageMs(path) > CACHE_MAX_AGE_MS) {
      rmSync(path, { force: true });
    }
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}
