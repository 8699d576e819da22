import { createHash } from 'node:crypto';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGliteAdapter, type PGliteAdapterOptions } from '../../src/adapters/pglite';

const MIGRATIONS = join(__dirname, '..', '..', 'migrations', 'postgres');

/** A name that changes whenever a PostgreSQL migration does, so a stale template is never used. */
async function templatePath(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of (await readdir(MIGRATIONS)).sort()) {
    hash.update(file).update(await readFile(join(MIGRATIONS, file)));
  }
  return join(tmpdir(), `ndl-pglite-template-${hash.digest('hex').slice(0, 16)}.tar.gz`);
}

/**
 * A PGlite database with every PostgreSQL migration applied, as a dump to start test databases
 * from: a fresh PGlite runs initdb and nine migrations (several seconds on this machine), a dump
 * loads in about one. Made once and kept in the temp directory under a name tied to the
 * migrations; a test file that finds none makes it (written under a temporary name and renamed,
 * so two workers never read half a file).
 */
export async function pgliteTemplate(): Promise<Blob> {
  const path = await templatePath();
  try {
    return new Blob([await readFile(path)]);
  } catch {
    const adapter = await PGliteAdapter.open({ migrate: true });
    try {
      const dump = await adapter.db.dumpDataDir('gzip');
      const partial = `${path}.${process.pid}.partial`;
      await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
      await rename(partial, path);
      return dump;
    } finally {
      await adapter.close();
    }
  }
}

/** A PGlite adapter on a fresh database started from {@link pgliteTemplate}. */
export async function openPgliteFromTemplate(
  options: PGliteAdapterOptions = {},
): Promise<PGliteAdapter> {
  // The migrations still run, and find nothing to apply.
  return PGliteAdapter.open({ loadDataDir: await pgliteTemplate(), migrate: true, ...options });
}
