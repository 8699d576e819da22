import { setEntityProperty } from '../schema/conceal-sensitive';
import type { TableDefinition } from '../schema/table-definition';
import type { EntityBuilder } from './cache-codec';

/**
 * Rebuilds the entities of a cached result of `table` as its row mapper built them: an instance of
 * the table's entity class, each column set through the same rule (a sensitive one hidden), in
 * the columns' order. So a hit and a miss are alike to `instanceof`, `util.inspect` and spreads.
 */
export function entityBuilder(table: TableDefinition<any>): EntityBuilder {
  return (properties) => {
    const values = new Map(properties);
    const entity = (table.entity ? new table.entity() : {}) as Record<string, unknown>;
    for (const column of table.columns) {
      if (!values.has(column.property)) continue;
      setEntityProperty(entity, column, values.get(column.property));
      values.delete(column.property);
    }
    for (const [name, value] of values) entity[name] = value;
    return entity;
  };
}
