import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { paymentsTable, subscriptionsTable, usersTable, webhookEventsTable } from '../schema';
import type { TableDefinition } from '../schema/table-definition';
import { planMigration } from './migration-plan';
import { parseRlsOwner, type RlsOwner } from './rls-stub';
import { SchemaChangeException } from './schema-change.exception';
import type { SchemaChange } from './schema-diff';
import type { SqlDialect } from './schema-model';
import { checkTableModels, readSnapshot, SNAPSHOT_FILE, snapshotText } from './snapshot-file';
import { tableModelOf } from './table-model';

/** What {@link generateMigration} takes. */
export interface GenerateMigrationOptions {
  /** The migration's name: letters, digits, `_` and `-` (`add_invoice_note`). */
  readonly name: string;
  /** The app's table definitions (the library's own tables among them are skipped). */
  readonly tables: readonly TableDefinition<any>[];
  /** The app's migrations root: `sqlite/`, `postgres/` and the snapshot are written there. */
  readonly root: string;
  /** Whether tables and columns may be dropped. Default is `false`. */
  readonly allowDrop?: boolean;
  /** `<table>.<column>`: add a row level security stub for that owner column. Default is none. */
  readonly rlsOwner?: string;
  /** Also write the PostgreSQL up SQL here as `<version>_<name>.sql` (Supabase CLI). Default is none. */
  readonly supabaseDirectory?: string;
  /** The moment the version is taken from. Default is now. */
  readonly now?: Date;
}

/** What {@link generateMigration} did. */
export interface GeneratedMigration {
  /** The changes written; empty (and nothing written) when the definitions match the snapshot. */
  readonly changes: readonly SchemaChange[];
  /** The owner column a row level security stub was written for. */
  readonly rlsOwner?: RlsOwner;
  /** The version of the files written: a UTC `YYYYMMDDHHMMSS`. */
  readonly version?: string;
  /** Every file written, the snapshot last. */
  readonly files: readonly string[];
  /** Tables skipped because they are the library's own (its migrations create them). */
  readonly skipped: readonly string[];
}

const LIBRARY_TABLES = new Set(
  [usersTable, paymentsTable, subscriptionsTable, webhookEventsTable].map((t) => t.name),
);
const NAME = /^[A-Za-z0-9_-]+$/;
const DIALECTS: readonly SqlDialect[] = ['sqlite', 'postgres'];

const timestampOf = (date: Date) => date.toISOString().replace(/\D/g, '').slice(0, 14);

function parseTimestamp(version: string): Date {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, n) =>
    Number(version.slice(at, at + (n === 0 ? 4 : 2))),
  );
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

/**
 * The version of a new migration: the UTC timestamp of `now`, or one second past the newest
 * timestamp version already in these folders, so two generations in one second still sort.
 */
function nextVersion(folders: readonly string[], now: Date): string {
  const taken = folders
    .filter((folder) => existsSync(folder))
    .flatMap((folder) => readdirSync(folder))
    .flatMap((file) => /^(\d{14})_/.exec(file)?.[1] ?? []);
  const newest = taken.sort().at(-1);
  const version = timestampOf(now);
  if (newest === undefined || version > newest) return version;
  return timestampOf(new Date(parseTimestamp(newest).getTime() + 1000));
}

/**
 * `migrate generate`: diffs the app's table definitions with `<root>/schema-snapshot.json`
 * (none yet: every table is new) and writes the migration that makes the difference, up and
 * down, for SQLite and PostgreSQL (`<root>/<dialect>/<version>_<name>.up.sql`, `.down.sql`),
 * optionally a Supabase CLI copy, then the new snapshot. Refusals ({@link planMigration}) throw
 * {@link SchemaChangeException} before anything is written.
 */
export function generateMigration(options: GenerateMigrationOptions): GeneratedMigration {
  const { name, root, supabaseDirectory } = options;
  if (!NAME.test(name)) {
    throw new SchemaChangeException(
      `The migration name must be letters, digits, _ and -, got "${name}"`,
      'SCHEMA_INVALID_ARGUMENT',
    );
  }
  if (supabaseDirectory !== undefined && name === 'init') {
    // The Supabase CLI skips a first migration named <timestamp>_init.sql.
    throw new SchemaChangeException(
      'The Supabase CLI skips a migration named init: pick another name',
      'SCHEMA_INVALID_ARGUMENT',
    );
  }
  const skipped = options.tables.filter((t) => LIBRARY_TABLES.has(t.name)).map((t) => t.name);
  const after = checkTableModels(
    options.tables.filter((t) => !LIBRARY_TABLES.has(t.name)).map(tableModelOf),
    'the schema module',
  );
  const before = readSnapshot(root).tables;
  const rlsOwner = options.rlsOwner ? parseRlsOwner(options.rlsOwner, after) : undefined;
  const plan = planMigration(before, after, { name, allowDrop: options.allowDrop, rlsOwner });
  if (plan.changes.length === 0 && !rlsOwner) return { changes: [], files: [], skipped };

  const folders = DIALECTS.map((dialect) => join(root, dialect));
  const version = nextVersion(
    supabaseDirectory ? [...folders, supabaseDirectory] : folders,
    options.now ?? new Date(),
  );
  const files: string[] = [];
  const write = (folder: string, file: string, text: string) => {
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, file), text);
    files.push(join(folder, file));
  };
  DIALECTS.forEach((dialect, n) => {
    write(folders[n], `${version}_${name}.up.sql`, plan.sql[dialect].up);
    write(folders[n], `${version}_${name}.down.sql`, plan.sql[dialect].down);
  });
  if (supabaseDirectory) write(supabaseDirectory, `${version}_${name}.sql`, plan.sql.postgres.up);
  write(root, SNAPSHOT_FILE, snapshotText(after));
  return { changes: plan.changes, rlsOwner, version, files, skipped };
}
