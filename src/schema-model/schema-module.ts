import type { TableDefinition } from '../schema/table-definition';
import { SchemaChangeException } from './schema-change.exception';
import { tableModelOf } from './table-model';

/**
 * Whether a value is a table definition made by `defineTable`, judged by its shape (another copy
 * of the library, as an app's node_modules may hold, makes objects of the same shape).
 */
export function isTableDefinition(value: unknown): value is TableDefinition<any> {
  const table = value as Partial<TableDefinition<any>> | null;
  return (
    typeof table === 'object' &&
    table !== null &&
    typeof table.name === 'string' &&
    Array.isArray(table.columns) &&
    typeof table.primaryKey === 'object' &&
    typeof table.softDelete === 'boolean' &&
    typeof table.column === 'function' &&
    typeof table.columnByName === 'function'
  );
}

/**
 * The table definitions a compiled schema module exports (every export that is one; the same
 * table exported twice counts once). Throws {@link SchemaChangeException} when the module
 * cannot be loaded, exports no table, or two exports define one table name differently.
 */
export function loadTableDefinitions(modulePath: string): TableDefinition<any>[] {
  let exported: Record<string, unknown>;
  try {
    // The app's module, compiled to JavaScript: the CLI runs without a TypeScript compiler.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exported = require(modulePath) as Record<string, unknown>;
  } catch (error) {
    const reason = (error as { message?: unknown })?.message;
    throw new SchemaChangeException(
      `Cannot load the schema module ${modulePath}: ${typeof reason === 'string' ? reason : String(error)}. ` +
        'It must be JavaScript (compile the app first) exporting its defineTable results.',
      'SCHEMA_MODULE_INVALID',
      { cause: error },
    );
  }
  const tables = [...new Set(Object.values(exported ?? {}).filter(isTableDefinition))];
  if (tables.length === 0) {
    throw new SchemaChangeException(
      `The schema module ${modulePath} exports no table definition (export the results of defineTable)`,
      'SCHEMA_MODULE_INVALID',
    );
  }
  const byName = new Map<string, TableDefinition<any>>();
  for (const table of tables) {
    const seen = byName.get(table.name);
    // One table exported as itself and through allowQueriesOn, say: the same DDL either way.
    if (seen && JSON.stringify(tableModelOf(seen)) !== JSON.stringify(tableModelOf(table))) {
      throw new SchemaChangeException(
        `The schema module ${modulePath} exports two different definitions of table ${table.name}`,
        'SCHEMA_MODULE_INVALID',
      );
    }
    if (!seen) byName.set(table.name, table);
  }
  return [...byName.values()];
}
