import { generatedHeader, joinBlocks } from './ddl-common';
import { postgresMigrationSql } from './ddl-postgres';
import { sqliteMigrationSql } from './ddl-sqlite';
import { rlsOwnerSql, type RlsOwner } from './rls-stub';
import { diffSchemas, refuseUnsafeChanges, type SchemaChange } from './schema-diff';
import type { SqlDialect, TableModel } from './schema-model';

/** The up and down SQL of one migration in one dialect, as file text. */
export interface MigrationSql {
  readonly up: string;
  readonly down: string;
}

/** What {@link planMigration} takes besides the two schemas. */
export interface MigrationPlanOptions {
  /** The migration's name, written in each file's header. */
  readonly name: string;
  /** Whether tables and columns may be dropped. Default is `false`. */
  readonly allowDrop?: boolean;
  /** Add a row level security stub for this owner column to the PostgreSQL SQL. Default is none. */
  readonly rlsOwner?: RlsOwner;
}

/** A migration planned, nothing written yet. */
export interface MigrationPlan {
  /** What changes, in order; empty when the schemas are the same. */
  readonly changes: readonly SchemaChange[];
  readonly sql: Readonly<Record<SqlDialect, MigrationSql>>;
}

function fileText(name: string, direction: 'up' | 'down', blocks: readonly string[]): string {
  const body = joinBlocks(blocks.map((block) => [block])) || '-- Nothing to do in this dialect.';
  return `${generatedHeader(name, direction)}\n\n${body}\n`;
}

/**
 * The migration from the `before` tables to the `after` ones, in both dialects. The down SQL
 * is the migration back (`after` to `before`), so it re-creates what the up drops. Throws
 * {@link SchemaChangeException} for a drop without `allowDrop` or a NOT NULL column without a
 * default added to an existing table.
 */
export function planMigration(
  before: readonly TableModel[],
  after: readonly TableModel[],
  options: MigrationPlanOptions,
): MigrationPlan {
  const changes = diffSchemas(before, after);
  refuseUnsafeChanges(changes, { allowDrop: options.allowDrop ?? false });
  const back = diffSchemas(after, before);
  const rls = options.rlsOwner ? rlsOwnerSql(options.rlsOwner) : { up: '', down: '' };
  const { name } = options;
  return {
    changes,
    sql: {
      sqlite: {
        up: fileText(name, 'up', [sqliteMigrationSql(changes, before, after)]),
        down: fileText(name, 'down', [sqliteMigrationSql(back, after, before)]),
      },
      postgres: {
        up: fileText(name, 'up', [postgresMigrationSql(changes), rls.up]),
        down: fileText(name, 'down', [rls.down, postgresMigrationSql(back)]),
      },
    },
  };
}
