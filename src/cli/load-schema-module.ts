import { DatabaseConfigurationException } from '../config/database-configuration.exception';
import type { TableDefinition } from '../schema/table-definition';

/** Whether a value has the shape `defineTable` gives (duck-typed: the app may load its own copy). */
export function isTableDefinition(value: unknown): value is TableDefinition<any> {
  const table = value as Partial<TableDefinition<any>> | null;
  return (
    typeof table === 'object' &&
    table !== null &&
    typeof table.name === 'string' &&
    Array.isArray(table.columns) &&
    typeof table.softDelete === 'boolean' &&
    typeof table.column === 'function' &&
    typeof table.columnByName === 'function'
  );
}

/**
 * The tables of an application's compiled schema module: every export that is a table
 * definition, in export order. The module is loaded with `require`, so it is JavaScript
 * (`dist/schema.js`), compiled beforehand.
 *
 * @throws DatabaseConfigurationException when the module cannot be loaded, exports no table
 * definition, or exports two different tables of one name.
 */
export function loadSchemaModule(path: string): TableDefinition<any>[] {
  let exported: Record<string, unknown>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exported = require(path) as Record<string, unknown>;
  } catch (error) {
    const reason = (error as { message?: unknown }).message;
    throw new DatabaseConfigurationException(
      [`The schema module ${path} could not be loaded (${String(reason ?? error)})`],
      { cause: error },
    );
  }
  const tables = new Map<string, TableDefinition<any>>();
  for (const value of Object.values(exported ?? {})) {
    if (!isTableDefinition(value)) continue;
    const known = tables.get(value.name);
    if (known && known !== value) {
      throw new DatabaseConfigurationException([
        `The schema module ${path} exports two different definitions of the table ${value.name}`,
      ]);
    }
    tables.set(value.name, value);
  }
  if (tables.size === 0) {
    throw new DatabaseConfigurationException([
      `The schema module ${path} exports no table definition (export each defineTable(...) result)`,
    ]);
  }
  return [...tables.values()];
}
