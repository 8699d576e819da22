import { join, relative } from 'node:path';
import { describeChange } from '../schema-model/schema-diff';
import { generateMigration } from '../schema-model/generate-migration';
import { SchemaChangeException } from '../schema-model/schema-change.exception';
import { loadTableDefinitions } from '../schema-model/schema-module';
import type { CliCommand } from './cli-command';
import { messageOf } from './cli-output';
import { readProjectSettings } from './project-settings';

const USAGE =
  'Usage: nest-data-layer migrate generate <name> [--supabase] [--allow-drop] [--rls-owner <table.column>]';

/**
 * `migrate generate <name>`: diffs the schema module's tables with the snapshot in the first app
 * migrations folder and writes the migration between them (docs/migrations.md › Generating
 * migrations from your tables). Exit codes: 0 written or nothing to do, 1 a change refused
 * (a drop without `--allow-drop`, …), 2 bad usage or configuration.
 */
export const generateCommand: CliCommand = async (args, io) => {
  const settings = readProjectSettings(args, io.cwd, io.env);
  if (typeof settings === 'string') return usage(io.stderr, settings);
  if (settings.args.length !== 1) return usage(io.stderr, 'generate takes one migration name');
  const root = settings.directories[0];
  if (root === undefined) {
    return usage(
      io.stderr,
      'No app migrations folder: pass --dir <folder> or set "nestDataLayer": { "migrations": … } in package.json',
    );
  }
  if (settings.schema === undefined) {
    return usage(
      io.stderr,
      'No schema module: pass --schema <compiled file>, set "nestDataLayer": { "schema": … } in ' +
        'package.json, or DATABASE_SCHEMA_MODULE',
    );
  }
  const show = (file: string) => relative(io.cwd, file) || file;
  try {
    const result = generateMigration({
      name: settings.args[0],
      tables: loadTableDefinitions(settings.schema),
      root,
      allowDrop: settings.switches.has('--allow-drop'),
      rlsOwner: settings.values.get('--rls-owner'),
      supabaseDirectory: settings.switches.has('--supabase')
        ? join(io.cwd, 'supabase', 'migrations')
        : undefined,
    });
    for (const table of result.skipped) {
      io.stdout(`= table ${table} is the library's own (its migrations create it): skipped`);
    }
    if (result.files.length === 0) {
      io.stdout(`No changes: the tables match ${show(join(root, 'schema-snapshot.json'))}.`);
      return 0;
    }
    result.changes.forEach((change) => io.stdout(describeChange(change)));
    if (result.rlsOwner) {
      io.stdout(
        `+ row level security on ${result.rlsOwner.table} (owner ${result.rlsOwner.column})`,
      );
    }
    result.files.forEach((file) => io.stdout(`wrote ${show(file)}`));
    return 0;
  } catch (error) {
    const [first, ...rest] = messageOf(error).split('\n');
    io.stderr(`error: ${first}`);
    rest.forEach(io.stderr);
    const refused =
      error instanceof SchemaChangeException &&
      (error.code === 'SCHEMA_DROP_REFUSED' || error.code === 'SCHEMA_CHANGE_UNSAFE');
    return refused ? 1 : 2;
  }
};

function usage(stderr: (line: string) => void, problem: string): number {
  stderr(`error: ${problem}`);
  stderr(USAGE);
  return 2;
}
