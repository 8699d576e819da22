import { SchemaChangeException } from './schema-change.exception';
import type { TableModel } from './schema-model';
import { constraintName } from './table-model';

/** The owner column of `--rls-owner <table>.<column>`. */
export interface RlsOwner {
  readonly table: string;
  readonly column: string;
}

/** Reads `<table>.<column>` and checks it names a uuid column of one of the tables. */
export function parseRlsOwner(text: string, tables: readonly TableModel[]): RlsOwner {
  const [table, column, ...rest] = text.split('.');
  const model = tables.find((t) => t.name === table);
  const owner = model?.columns.find((c) => c.name === column);
  if (rest.length > 0 || !owner || owner.type !== 'uuid') {
    throw new SchemaChangeException(
      `--rls-owner takes <table>.<column>, a uuid column (database names) of a table in the ` +
        `schema module, such as invoices.user_id; got "${text}"`,
      'SCHEMA_INVALID_ARGUMENT',
    );
  }
  return { table: model!.name, column: owner.name };
}

/**
 * A row level security stub for a table whose rows belong to the user in an owner column, as the
 * library's own policies (migrations/postgres/0006): RLS on, and `authenticated` may read and
 * update its own rows. `auth.uid()` is Supabase's; on plain PostgreSQL the library's migration
 * 0001_create_auth_compat creates it. The down drops the policies and turns RLS off.
 */
export function rlsOwnerSql({ table, column }: RlsOwner): { up: string; down: string } {
  const select = constraintName(table, ['select'], 'own');
  const update = constraintName(table, ['update'], 'own');
  const own = `${column} = (SELECT auth.uid())`;
  const up = [
    `-- Row level security: authenticated users read and update the rows whose ${column} is theirs.`,
    "-- auth.uid() is Supabase's; on plain PostgreSQL the library's 0001_create_auth_compat makes it.",
    '-- The table owner (the library) and service_role are not subject to it. Grant what',
    `-- authenticated may do (GRANT SELECT, UPDATE (…) ON ${table} TO authenticated) as you need.`,
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;`,
    '',
    `CREATE POLICY ${select} ON ${table}`,
    '  FOR SELECT TO authenticated',
    `  USING (${own});`,
    '',
    `CREATE POLICY ${update} ON ${table}`,
    '  FOR UPDATE TO authenticated',
    `  USING (${own})`,
    `  WITH CHECK (${own});`,
  ].join('\n');
  const down = [
    `DROP POLICY ${update} ON ${table};`,
    `DROP POLICY ${select} ON ${table};`,
    `ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY;`,
  ].join('\n');
  return { up, down };
}
