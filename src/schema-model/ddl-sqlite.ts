/**
 * The SQLite DDL of a list of schema changes. SQLite alters little in place: a column that is
 * nullable or has a default is added with ADD COLUMN, a column with no constraint is dropped
 * with DROP COLUMN; anything else (nullability, type, CHECK, foreign key, default) rebuilds the
 * table as https://www.sqlite.org/lang_altertable.html#otheralter describes: create `new_<table>`,
 * copy the rows, drop the old table, rename the new one, create the indexes again.
 */
import {
  checkExpression,
  columnDefinition,
  createIndexStatement,
  createTableStatement,
  createTableWithIndexes,
  defaultLiteral,
  dropIndexStatement,
  fillsNullsWithDefault,
  joinBlocks,
  parentsFirst,
} from './ddl-common';
import { changedTable, changesOfKind, type SchemaChange } from './schema-diff';
import type { ColumnModel, TableModel } from './schema-model';

/**
 * The statement the migration runner reads as "run this file with foreign keys off" (SQLite
 * ignores it inside the runner's transaction, so the SQLite migration driver applies it before).
 */
export const SQLITE_FOREIGN_KEYS_OFF = [
  '-- Foreign keys off while tables are dropped or rebuilt, as SQLite documents: the runner turns',
  '-- them off before its transaction, runs PRAGMA foreign_key_check before COMMIT, then back on.',
  'PRAGMA foreign_keys = OFF;',
].join('\n');

/**
 * Whether a change means anything to SQLite: a column change its DDL does not show (a wider
 * integer, uuid to string: TEXT either way) needs no statement.
 */
function seenBySqlite(change: SchemaChange): boolean {
  if (change.kind !== 'alter-column') return true;
  const text = (c: ColumnModel) => columnDefinition(c, 'sqlite', change.table);
  return text(change.before) !== text(change.after);
}

/** Whether SQLite can make this change without rebuilding the table. */
function needsRebuild(change: SchemaChange): boolean {
  switch (change.kind) {
    case 'alter-column':
      return true;
    case 'add-column': {
      const { nullable, default: fallback, references } = change.column;
      // SQLite adds a NOT NULL column only with a default, a foreign key only with a NULL one.
      return (!nullable && fallback == null) || (references !== undefined && fallback != null);
    }
    case 'drop-column': {
      const { column } = change;
      // DROP COLUMN refuses a column named by a table constraint (its CHECK, its foreign key).
      return checkExpression(column, 'sqlite') !== undefined || column.references !== undefined;
    }
    default:
      return false;
  }
}

function rebuildName(table: string, taken: ReadonlySet<string>): string {
  let name = `new_${table}`;
  while (taken.has(name)) name = `new_${name}`;
  return name;
}

/** The rebuild of one table into its `after` form, keeping the rows of the columns both have. */
function rebuild(
  before: TableModel,
  after: TableModel,
  changes: readonly SchemaChange[],
  taken: ReadonlySet<string>,
): string {
  const temporary = rebuildName(after.name, taken);
  const kept = new Set(before.columns.map((c) => c.name));
  const copied = after.columns.filter((c) => kept.has(c.name));
  const filled = new Map(
    changes
      .filter(fillsNullsWithDefault)
      .map((c) => [c.after.name, defaultLiteral(c.after.default!, 'sqlite')]),
  );
  const source = copied.map((c) =>
    filled.has(c.name) ? `coalesce(${c.name}, ${filled.get(c.name)})` : c.name,
  );
  return [
    `-- Rebuild of ${after.name}: SQLite cannot make these changes with ALTER TABLE.`,
    createTableStatement(after, 'sqlite', temporary),
    `INSERT INTO ${temporary} (${copied.map((c) => c.name).join(', ')})`,
    `  SELECT ${source.join(', ')} FROM ${after.name};`,
    `DROP TABLE ${after.name};`,
    `ALTER TABLE ${temporary} RENAME TO ${after.name};`,
    ...after.indexes.map((index) => createIndexStatement(after.name, index)),
  ].join('\n');
}

/**
 * The SQLite statements that turn the `before` tables into the `after` ones, given the changes
 * between them ({@link diffSchemas}). A file that drops or rebuilds a table starts with
 * {@link SQLITE_FOREIGN_KEYS_OFF}, so dropping a parent never deletes or blocks its children's rows.
 */
export function sqliteMigrationSql(
  all: readonly SchemaChange[],
  before: readonly TableModel[],
  after: readonly TableModel[],
): string {
  const changes = all.filter(seenBySqlite);
  const oldTables = new Map(before.map((t) => [t.name, t]));
  const newTables = new Map(after.map((t) => [t.name, t]));
  const taken = new Set([...oldTables.keys(), ...newTables.keys()]);
  const rebuilt = new Set(changes.filter(needsRebuild).map(changedTable));
  const inPlace = changes.filter((c) => !rebuilt.has(changedTable(c)));
  const dropped = changesOfKind(changes, 'drop-table').map((c) => c.table);
  const created = changesOfKind(changes, 'create-table').map((c) => c.table);
  const blocks = [
    changesOfKind(inPlace, 'drop-index').map((c) => dropIndexStatement(c.index)),
    parentsFirst(dropped)
      .reverse()
      .map((t) => `DROP TABLE ${t.name};`),
    parentsFirst(created).map((t) => createTableWithIndexes(t, 'sqlite') + '\n'),
    changesOfKind(inPlace, 'drop-column').map(
      (c) => `ALTER TABLE ${c.table} DROP COLUMN ${c.column.name};`,
    ),
    changesOfKind(inPlace, 'add-column').map(
      (c) => `ALTER TABLE ${c.table} ADD COLUMN ${columnDefinition(c.column, 'sqlite', c.table)};`,
    ),
    [...rebuilt].map((name) => {
      const own = changes.filter((c) => changedTable(c) === name);
      return rebuild(oldTables.get(name)!, newTables.get(name)!, own, taken) + '\n';
    }),
    changesOfKind(inPlace, 'add-index').map((c) => createIndexStatement(c.table, c.index)),
  ];
  if (rebuilt.size > 0 || dropped.length > 0) blocks.unshift([SQLITE_FOREIGN_KEYS_OFF]);
  return joinBlocks(blocks);
}
