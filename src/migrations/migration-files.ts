import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MigrationDialect, MigrationRecord } from './migration-driver.interface';
import { formatMigration, MigrationException } from './migration.exception';
import { defaultMigrationsDirectory } from './migrations-directory';

/** A migration found on disk: its record plus the SQL of both directions. */
export interface MigrationFile extends MigrationRecord {
  /** The SQL that applies it. */
  readonly up: string;
  /** The SQL that reverts it. */
  readonly down: string;
  /** The folder it was read from. */
  readonly directory: string;
}

/**
 * The folder of an application's migrations for a dialect: `<root>/<dialect>`, the library's own
 * layout, so one root holds both dialects (and the snapshot `migrate generate` keeps).
 */
export function appMigrationsFolder(root: string, dialect: MigrationDialect): string {
  return join(root, dialect);
}

/**
 * The folders a dialect's migrations are read from: the library's (`directory`, default the
 * package's own) first, then the `<dialect>` folder of each application root.
 */
export function migrationFolders(
  dialect: MigrationDialect,
  directory: string | undefined,
  appRoots: readonly string[] = [],
): string[] {
  return [
    directory ?? defaultMigrationsDirectory(dialect),
    ...appRoots.map((root) => appMigrationsFolder(root, dialect)),
  ];
}

/**
 * Reads the migrations of several folders and merges them by version: the library's first, then
 * the application's. A folder that does not exist holds none (an app may have only SQLite ones
 * yet); one version in two folders is an error naming both, since the history records versions.
 */
export async function loadMigrationSet(directories: readonly string[]): Promise<MigrationFile[]> {
  const [first, ...rest] = directories;
  const sets = await Promise.all([
    loadMigrationFiles(first),
    ...rest.map((directory) => (existsSync(directory) ? loadMigrationFiles(directory) : [])),
  ]);
  const byVersion = new Map<number, MigrationFile>();
  for (const file of sets.flat()) {
    const clash = byVersion.get(file.version);
    if (clash) {
      throw invalid(
        `Version ${file.version} is used by ${formatMigration(clash.version, clash.name)} in ` +
          `${clash.directory} and by ${formatMigration(file.version, file.name)} in ${file.directory}`,
      );
    }
    byVersion.set(file.version, file);
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/** `0001_create_users.up.sql`: version, name, direction. */
const FILE_NAME = /^(\d+)_([A-Za-z0-9_-]+)\.(up|down)\.sql$/;

/**
 * The checksum of an up file: sha256 (hex) of its text with CRLF turned into LF, so a checkout
 * that converts line endings does not look like an edit.
 */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
}

/**
 * Reads every migration in a directory, in version order. Each version needs exactly one
 * `<version>_<name>.up.sql` and one `<version>_<name>.down.sql`; other `.sql` names are an error
 * (a typo would otherwise be skipped silently) and non-`.sql` files are ignored.
 */
export async function loadMigrationFiles(directory: string): Promise<MigrationFile[]> {
  let entries: string[];
  try {
    entries = await readdir(directory);
  } catch (error) {
    throw new MigrationException(
      `Cannot read the migrations directory ${directory}`,
      'MIGRATION_INVALID_FILE',
      { cause: error, details: { directory } },
    );
  }

  const byVersion = new Map<number, { name: string; up?: string; down?: string }>();
  for (const entry of entries.sort()) {
    if (!entry.endsWith('.sql')) continue;
    const match = FILE_NAME.exec(entry);
    if (!match) {
      throw invalid(`Migration file ${entry} must be named <version>_<name>.up.sql or .down.sql`);
    }
    const [, digits, name, direction] = match;
    const version = Number(digits);
    if (!Number.isSafeInteger(version)) {
      throw invalid(`Migration file ${entry} has a version too large to store`);
    }
    const slot = byVersion.get(version) ?? { name };
    if (slot.name !== name) {
      throw invalid(`Version ${version} is used by both ${slot.name} and ${name}`);
    }
    if (slot[direction as 'up' | 'down'] !== undefined) {
      throw invalid(`Version ${version} has two ${direction} files`);
    }
    slot[direction as 'up' | 'down'] = join(directory, entry);
    byVersion.set(version, slot);
  }

  const versions = [...byVersion.keys()].sort((a, b) => a - b);
  return Promise.all(
    versions.map(async (version) => {
      const { name, up, down } = byVersion.get(version)!;
      if (up === undefined || down === undefined) {
        const missing = up === undefined ? 'up' : 'down';
        throw invalid(`Migration ${formatMigration(version, name)} has no ${missing} file`);
      }
      const [upSql, downSql] = await Promise.all([readFile(up, 'utf8'), readFile(down, 'utf8')]);
      return {
        version,
        name,
        checksum: migrationChecksum(upSql),
        up: upSql,
        down: downSql,
        directory,
      };
    }),
  );
}

function invalid(message: string): MigrationException {
  return new MigrationException(message, 'MIGRATION_INVALID_FILE');
}
