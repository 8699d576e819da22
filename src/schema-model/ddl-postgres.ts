/**
 * The PostgreSQL DDL of a list of schema changes: every column change is an action of one
 * `ALTER TABLE` per table, so PostgreSQL rewrites a table at most once.
 */
import {
  checkConstraint,
  checkExpression,
  columnDefinition,
  createIndexStatement,
  createTableWithIndexes,
  defaultLiteral,
  dropIndexStatement,
  fillsNullsWithDefault,
  foreignKeyConstraint,
  joinBlocks,
  parentsFirst,
} from './ddl-common';
import { changedTable, changesOfKind, type SchemaChange } from './schema-diff';
import type { ColumnModel } from './schema-model';
import { sqlType } from './sql-types';
import { constraintName } from './table-model';

type AlterColumn = Extract<SchemaChange, { kind: 'alter-column' }>;

/**
 * The actions that change one column. A new type drops the column's default, CHECK and foreign
 * key first and puts them back after, since the old ones may not fit the new type.
 */
function alterColumnActions({ table, before, after, aspects }: AlterColumn): string[] {
  const has = (aspect: AlterColumn['aspects'][number]) => aspects.includes(aspect);
  const retype = has('type') || has('length');
  const column = `ALTER COLUMN ${after.name}`;
  const actions: string[] = [];
  const checkOf = (c: ColumnModel) => checkExpression(c, 'postgres');
  if ((has('default') || retype) && before.default !== undefined) {
    actions.push(`${column} DROP DEFAULT`);
  }
  if ((has('enum') || retype) && checkOf(before)) {
    actions.push(`DROP CONSTRAINT ${constraintName(table, [before.name], 'check')}`);
  }
  if ((has('foreign-key') || retype) && before.references) {
    actions.push(`DROP CONSTRAINT ${constraintName(table, [before.name], 'fkey')}`);
  }
  if (retype) {
    const type = sqlType(after, 'postgres');
    actions.push(`${column} TYPE ${type} USING ${after.name}::${type.replace(' COLLATE "C"', '')}`);
  }
  if (has('nullable')) actions.push(`${column} ${after.nullable ? 'DROP' : 'SET'} NOT NULL`);
  if ((has('enum') || retype) && checkOf(after)) {
    actions.push(`ADD ${checkConstraint(table, after, 'postgres')}`);
  }
  if ((has('foreign-key') || retype) && after.references) {
    actions.push(`ADD ${foreignKeyConstraint(table, after)}`);
  }
  if ((has('default') || retype) && after.default !== undefined) {
    actions.push(`${column} SET DEFAULT ${defaultLiteral(after.default, 'postgres')}`);
  }
  return actions;
}

function columnActions(change: SchemaChange): string[] {
  switch (change.kind) {
    case 'drop-column':
      return [`DROP COLUMN ${change.column.name}`];
    case 'add-column':
      return [`ADD COLUMN ${columnDefinition(change.column, 'postgres', change.table)}`];
    case 'alter-column':
      return alterColumnActions(change);
    default:
      return [];
  }
}

/** One `ALTER TABLE` per table whose columns change, preceded by the fills it needs. */
function alterTables(changes: readonly SchemaChange[]): string[] {
  const tables = [...new Set(changes.filter((c) => columnActions(c).length > 0).map(changedTable))];
  return tables.map((table) => {
    const own = changes.filter((c) => changedTable(c) === table);
    const fills = own
      .filter(fillsNullsWithDefault)
      .map(
        (c) =>
          `UPDATE ${table} SET ${c.after.name} = ${defaultLiteral(c.after.default!, 'postgres')} WHERE ${c.after.name} IS NULL;`,
      );
    const actions = own.flatMap(columnActions);
    return [...fills, `ALTER TABLE ${table}\n  ${actions.join(',\n  ')};`].join('\n');
  });
}

/**
 * The PostgreSQL statements that make these changes ({@link diffSchemas}): index drops, table
 * drops (children first), creations (parents first), column changes, then new indexes.
 */
export function postgresMigrationSql(changes: readonly SchemaChange[]): string {
  const dropped = changesOfKind(changes, 'drop-table').map((c) => c.table);
  const created = changesOfKind(changes, 'create-table').map((c) => c.table);
  return joinBlocks([
    changesOfKind(changes, 'drop-index').map((c) => dropIndexStatement(c.index)),
    parentsFirst(dropped)
      .reverse()
      .map((t) => `DROP TABLE ${t.name};`),
    parentsFirst(created).map((t) => createTableWithIndexes(t, 'postgres') + '\n'),
    alterTables(changes).map((statement) => statement + '\n'),
    changesOfKind(changes, 'add-index').map((c) => createIndexStatement(c.table, c.index)),
  ]);
}
