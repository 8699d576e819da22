import { migrationFolders } from '../migrations/migration-files';
import {
  checkSchema,
  describeMigrationState,
  hasDrift,
  type SchemaCheckResult,
} from '../schema-model/check-schema';
import type { CliCommand, CliIo } from './cli-command';
import { migrationsOfUncreated, orPrintError } from './cli-output';
import { loadTableDefinitions } from '../schema-model/schema-module';
import { describeTarget, withDatabase } from './open-database';
import { readProjectSettings, type ProjectSettings } from './project-settings';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A SQLite file that does not exist is not created: every migration is pending. */
async function reportUncreated(
  description: string,
  settings: ProjectSettings,
  io: CliIo,
): Promise<number> {
  const folders = migrationFolders('sqlite', undefined, settings.directories);
  const files = await migrationsOfUncreated(description, folders, io);
  if (files)
    io.stdout(
      `Pending: ${plural(files.length, 'migration')} not applied; run "nest-data-layer migrate up".`,
    );
  return 1;
}

/** Prints what the check found; returns the exit code. */
function report(result: SchemaCheckResult, io: Pick<CliIo, 'stdout'>): number {
  for (const row of result.migrations) {
    io.stdout(`${row.state.padEnd(8)} ${describeMigrationState(row)}`);
  }
  for (const difference of result.differences) {
    io.stdout(`${difference.severity.padEnd(8)} ${difference.message}`);
  }
  const drift = result.differences.filter((d) => d.severity === 'drift').length;
  if (drift === 0) {
    io.stdout(`No drift: ${plural(result.tables.length, 'table')} match their definitions.`);
  }
  const pending = result.migrations.filter((row) => row.state === 'pending').length;
  if (pending > 0) {
    io.stdout(
      `Pending: ${plural(pending, 'migration')} not applied; run "nest-data-layer migrate up".`,
    );
  }
  if (result.migrations.length > pending) {
    io.stdout(
      'The migration history disagrees with the files: run "nest-data-layer migrate status".',
    );
  }
  if (drift > 0) {
    io.stdout(
      `Drift: ${plural(drift, 'difference')} between the database and the table definitions.`,
    );
  }
  return hasDrift(result) || result.migrations.length > 0 ? 1 : 0;
}

/**
 * `migrate check`: compares the database the environment names with the library's tables and the
 * app's (its schema module), and its migration history with the migration files. Prints each
 * difference; exits 0 when there is no drift and nothing pending, 1 otherwise, 2 on bad usage.
 * It reads only, and never creates a SQLite file.
 */
export const checkCommand: CliCommand = async (args, io) => {
  const settings = readProjectSettings(args, io.cwd, io.env);
  if (typeof settings === 'string' || settings.args.length > 0) {
    io.stderr(
      typeof settings === 'string'
        ? settings
        : `check takes no arguments, got "${settings.args.join(' ')}"`,
    );
    return 2;
  }
  const { schema } = settings;
  const tables = schema ? await orPrintError(() => loadTableDefinitions(schema), io) : [];
  if (!tables) return 2;
  const target = await orPrintError(() => describeTarget(io.env), io);
  if (!target) return 2;
  if (!target.exists) return reportUncreated(target.description, settings, io);
  return withDatabase(io, async (database) => {
    if (!schema) {
      io.stdout(
        'No schema module (--schema, package.json "nestDataLayer.schema" or DATABASE_SCHEMA_MODULE): ' +
          "checking the library's tables only.",
      );
    }
    const result = await checkSchema(database, { tables, appDirectories: settings.directories });
    return report(result, io);
  });
};
