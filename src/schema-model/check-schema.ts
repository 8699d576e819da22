import { QueryException } from '../exceptions/query.exception';
import { MigrationRunner, type MigrationStatus } from '../migrations/migration-runner';
import { formatMigration } from '../migrations/migration.exception';
import { paymentsTable } from '../schema/payments.table';
import { subscriptionsTable } from '../schema/subscriptions.table';
import type { TableDefinition } from '../schema/table-definition';
import { usersTable } from '../schema/users.table';
import { webhookEventsTable } from '../schema/webhook-events.table';
import { introspectPostgres } from './introspect-postgres';
import { introspectSqlite } from './introspect-sqlite';
import type { LiveTable, SchemaIntrospector, SchemaSource } from './live-schema';
import type { SqlDialect } from './schema-model';
import { compareSchema, type SchemaDifference } from './schema-drift';
import { tableModelOf } from './table-model';

/** The tables the library's own migrations create, checked in every database. */
export const LIBRARY_TABLES: readonly TableDefinition<any>[] = Object.freeze([
  usersTable,
  paymentsTable,
  subscriptionsTable,
  webhookEventsTable,
]);

const INTROSPECTORS: Record<SqlDialect, SchemaIntrospector> = {
  sqlite: introspectSqlite,
  postgres: introspectPostgres,
};

/** What {@link checkSchema} compares and where the migrations are. */
export interface SchemaCheckOptions {
  /** The application's table definitions; the library's four are checked too. Default is none. */
  tables?: readonly TableDefinition<any>[];
  /** The library's migrations folder for the dialect. Default is the package's own. */
  directory?: string;
  /** The application's migration roots (each with `sqlite/` and `postgres/`). Default is none. */
  appDirectories?: readonly string[];
}

/** What {@link checkSchema} found. */
export interface SchemaCheckResult {
  /** The names of the tables compared: the library's, then the application's. */
  readonly tables: readonly string[];
  /** The migrations not applied as they are on disk: pending, changed since, or without a file. */
  readonly migrations: readonly MigrationStatus[];
  /** Each difference between the database and the definitions, drift and warnings. */
  readonly differences: readonly SchemaDifference[];
}

/**
 * The tables to check: the library's four, then the application's; an application table with the
 * name of one of the library's takes its place (the same table, declared again for a repository).
 */
export function tablesToCheck(appTables: readonly TableDefinition<any>[]): TableDefinition<any>[] {
  const byName = new Map<string, TableDefinition<any>>();
  for (const table of [...LIBRARY_TABLES, ...appTables]) byName.set(table.name, table);
  return [...byName.values()];
}

/**
 * Reads a database's migration history and schema, and compares them with the migration files
 * and the table definitions: what `migrate check` prints and `/health` reports. Reads only.
 *
 * @throws MigrationException when the history cannot be read or the files do not load;
 * QueryException when the schema cannot be read.
 */
export async function checkSchema(
  source: SchemaSource,
  options: SchemaCheckOptions = {},
): Promise<SchemaCheckResult> {
  const definitions = tablesToCheck(options.tables ?? []);
  const runner = new MigrationRunner(source.driver, {
    directory: options.directory,
    appDirectories: options.appDirectories,
  });
  const migrations = (await runner.status()).filter((row) => row.state !== 'applied');
  const names = definitions.map((table) => table.name);
  let live: LiveTable[];
  try {
    live = await INTROSPECTORS[source.dialect](source.query, names);
  } catch (error) {
    const reason = (error as { message?: unknown } | null)?.message ?? error;
    throw new QueryException(`Cannot read the schema of the database: ${String(reason)}`, {
      cause: error,
    });
  }
  const differences = compareSchema(definitions.map(tableModelOf), live, source.dialect);
  return { tables: names, migrations, differences };
}

/** Whether a check found drift (warnings alone are not). */
export function hasDrift(result: Pick<SchemaCheckResult, 'differences'>): boolean {
  return result.differences.some((difference) => difference.severity === 'drift');
}

/** One line for a migration that is not applied as it is on disk. */
export function describeMigrationState(row: MigrationStatus): string {
  const label = formatMigration(row.version, row.name);
  switch (row.state) {
    case 'changed':
      return `${label}: applied, but its up file was edited since`;
    case 'missing':
      return `${label}: applied, but no migration file has its version`;
    default:
      return label;
  }
}
