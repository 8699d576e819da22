import type { IBaseEntity, TableDefinition } from './table-definition';

/**
 * Makes the sensitive properties of a freshly built entity non-enumerable: still readable and
 * writable by name (`user.passwordHash`), but absent from `util.inspect`, `console.log`,
 * `JSON.stringify`, `Object.keys` and spreads. Every provider's row mapper calls it, so an entity
 * has the same shape whichever provider returned it. Returns the entity.
 */
export function concealSensitive<T extends IBaseEntity>(table: TableDefinition<T>, entity: T): T {
  for (const column of table.sensitive) {
    if (Object.prototype.hasOwnProperty.call(entity, column.property)) {
      Object.defineProperty(entity, column.property, { enumerable: false });
    }
  }
  return entity;
}
