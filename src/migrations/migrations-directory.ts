import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MigrationDialect } from './migration-driver.interface';
import { MigrationException } from './migration.exception';

const PACKAGE_NAME = 'nest-data-layer';

/**
 * The folder of SQL migrations shipped with the library for a dialect: `migrations/<dialect>` at
 * the package root. The root is found by walking up from this file to the `package.json` named
 * `nest-data-layer`, so it works from `src/` (tests), `dist/` (the published package) and
 * `.build/src/` (the example app) alike.
 *
 * @throws MigrationException when no such package root is found (e.g. the library was bundled);
 * pass `directory` to the runner then.
 */
export function defaultMigrationsDirectory(dialect: MigrationDialect): string {
  let directory = __dirname;
  for (;;) {
    const manifest = join(directory, 'package.json');
    if (existsSync(manifest) && readPackageName(manifest) === PACKAGE_NAME) {
      return join(directory, 'migrations', dialect);
    }
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  throw new MigrationException(
    `Cannot find the ${PACKAGE_NAME} package root above ${__dirname}; pass the migrations directory explicitly`,
    'MIGRATION_INVALID_FILE',
  );
}

function readPackageName(manifest: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
  } catch {
    // An unreadable package.json above us is some other project's; keep walking.
    return undefined;
  }
}
