import type { MigrationFile } from '../migrations/migration-files';
import { migrationFolders } from '../migrations/migration-files';
import { MigrationRunner, type MigrationResult } from '../migrations/migration-runner';
import { formatMigration } from '../migrations/migration.exception';
import type { CliIo } from './cli-command';
import { migrationsOfUncreated, orPrintError } from './cli-output';
import { describeTarget, withDatabase } from './open-database';
import { readProjectSettings, type ProjectSettings } from './project-settings';

/** What {@link runMigrateCommand} takes: the CLI's I/O, and optionally the library's folder. */
export interface MigrateCommandIo extends Omit<CliIo, 'cwd'> {
  /** The directory relative paths are resolved from. Default is `process.cwd()`. */
  cwd?: string;
  /** The library's migrations folder for the dialect. Default is the package's own. */
  directory?: string;
}

export const MIGRATE_USAGE = [
  'Usage: nest-data-layer migrate <command> [--dir <folder>]... [--schema <module>]',
  '  status          list every migration and whether it is applied',
  '  up [--dry-run]  apply every pending migration (--dry-run: print their SQL, apply nothing)',
  '  down [n]        revert the last n applied migrations (default 1)',
  '  generate <name> [--supabase] [--allow-drop] [--rls-owner <table.column>]',
  '                  write the migrations that bring the database to the table definitions',
  '  check           compare the live schema with the table definitions; exit 1 on drift',
  'Folders and schema default to the "nestDataLayer" field of ./package.json',
  '  ({ "migrations": ["migrations"], "schema": "dist/schema.js" }), else DATABASE_MIGRATIONS_DIRS.',
  'Environment: DATABASE_PROVIDER=sqlite|postgres|pglite|supabase (default sqlite),',
  '  SQLITE_PATH (default ./data/database.sqlite), DATABASE_URL (postgres, supabase), PGLITE_PATH.',
];

type Command =
  | { name: 'status' }
  | { name: 'up'; dryRun: boolean }
  | { name: 'down'; steps: number }
  | { name: 'generate'; args: readonly string[] }
  | { name: 'check'; args: readonly string[] };

/**
 * `nest-data-layer migrate …`: parses the arguments, opens the database named by the environment,
 * runs the command and closes the database. Returns the exit code (0 done, 1 failed or the history
 * disagrees with the files, 2 bad usage) and never throws.
 */
export async function runMigrateCommand(
  args: readonly string[],
  io: MigrateCommandIo,
): Promise<number> {
  const cliIo: CliIo = { ...io, cwd: io.cwd ?? process.cwd() };
  const settings = readProjectSettings(args, cliIo.cwd, io.env);
  const command = typeof settings === 'string' ? settings : parseCommand(settings);
  if (typeof command === 'string' || typeof settings === 'string') {
    const problem = typeof command === 'string' ? command : '';
    if (problem) io.stderr(problem);
    MIGRATE_USAGE.forEach(problem ? io.stderr : io.stdout);
    return problem ? 2 : 0;
  }
  if (command.name === 'generate' || command.name === 'check') {
    // Loaded on demand: status and up should not pay for the schema tooling.
    const module =
      command.name === 'generate'
        ? (await import('./generate-command')).generateCommand
        : (await import('./check-command')).checkCommand;
    // The arguments without the command's name, wherever the flags put it.
    const at = args.indexOf(command.name);
    return module([...args.slice(0, at), ...args.slice(at + 1)], cliIo);
  }
  if (command.name === 'status') {
    // status never creates a database: a missing SQLite file is reported, every migration pending.
    const target = await orPrintError(() => describeTarget(io.env), io);
    if (!target) return 2;
    if (!target.exists) return printUncreated(target.description, target.dialect, settings, io);
  }

  return withDatabase(io, async (database) => {
    const runner = new MigrationRunner(database.driver, {
      directory: io.directory,
      appDirectories: settings.directories,
      log: io.stdout,
    });
    switch (command.name) {
      case 'up':
        if (command.dryRun) return printPending(await runner.pending(), io);
        io.stdout(
          summary(await runner.up(), 'Applied', 'Nothing to apply: the database is up to date.'),
        );
        return 0;
      case 'down':
        io.stdout(summary(await runner.down(command.steps), 'Reverted', 'Nothing to revert.'));
        return 0;
      case 'status': {
        const rows = await runner.status();
        printStatus(
          rows.map((row) => ({ ...row, label: formatMigration(row.version, row.name) })),
          io,
        );
        return rows.some((r) => r.state === 'changed' || r.state === 'missing') ? 1 : 0;
      }
    }
  });
}

/** The command, or a usage error message ('' when help was asked for). */
function parseCommand(settings: ProjectSettings): Command | string {
  const [name, ...rest] = settings.args;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') return '';
  if (name === 'generate' || name === 'check') return { name, args: rest };
  if (name === 'status' && rest.length === 0) return { name };
  if (name === 'up' && rest.length === 0) {
    return { name, dryRun: settings.switches.has('--dry-run') };
  }
  if (name === 'down' && rest.length <= 1) {
    if (rest.length === 0) return { name, steps: 1 };
    const steps = Number(rest[0]);
    if (/^\d+$/.test(rest[0]) && Number.isSafeInteger(steps) && steps >= 1) return { name, steps };
    return `down takes a positive whole number of migrations, got "${rest[0]}"`;
  }
  return `Unknown command: ${settings.args.join(' ')}`;
}

async function printUncreated(
  description: string,
  dialect: 'sqlite' | 'postgres',
  settings: ProjectSettings,
  io: MigrateCommandIo,
): Promise<number> {
  const folders = migrationFolders(dialect, io.directory, settings.directories);
  const files = await migrationsOfUncreated(description, folders, io);
  if (!files) return 1;
  printStatus(
    files.map((f) => ({ label: formatMigration(f.version, f.name), state: 'pending' })),
    io,
  );
  return 0;
}

function printStatus(
  rows: readonly { label: string; state: string; appliedAt?: string | null }[],
  io: Pick<CliIo, 'stdout'>,
): void {
  if (rows.length === 0) io.stdout('No migrations found.');
  const width = Math.max(0, ...rows.map((row) => row.label.length));
  for (const row of rows) {
    io.stdout(
      `${row.state.padEnd(8)} ${row.label.padEnd(width)}  ${row.appliedAt ?? ''}`.trimEnd(),
    );
  }
}

function printPending(files: readonly MigrationFile[], io: Pick<CliIo, 'stdout'>): number {
  if (files.length === 0) io.stdout('Nothing to apply: the database is up to date.');
  for (const file of files) {
    io.stdout(`-- ${formatMigration(file.version, file.name)} (${file.directory})`);
    io.stdout(file.up.trimEnd());
  }
  if (files.length > 0) io.stdout(`-- dry run: ${files.length} pending, nothing applied.`);
  return 0;
}

function summary(results: readonly MigrationResult[], verb: string, none: string): string {
  if (results.length === 0) return none;
  return `${verb} ${results.length} migration${results.length === 1 ? '' : 's'}.`;
}
