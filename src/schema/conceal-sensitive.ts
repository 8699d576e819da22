import type { ColumnDefinition } from './table-definition';

/** One descriptor, filled in per call: no allocation per property written. */
const hidden: PropertyDescriptor = {
  value: undefined,
  writable: true,
  configurable: true,
  enumerable: false,
};

/**
 * Sets `column`'s property of a freshly built entity: a sensitive column's value as a
 * non-enumerable property (still readable and writable by name, `user.passwordHash`, but absent
 * from `util.inspect`, `console.log`, `JSON.stringify`, `Object.keys` and spreads), any other as a
 * plain one. Every provider's row mapper writes through it, so an entity has the same shape
 * whichever provider returned it. Defining the property once, on an object that does not have it
 * yet, keeps the object on V8's fast path; redefining an existing one would not.
 */
export function setEntityProperty(
  entity: Record<string, unknown>,
  column: ColumnDefinition,
  value: unknown,
): void {
  if (!column.sensitive) {
    entity[column.property] = value;
    return;
  }
  hidden.value = value;
  Object.defineProperty(entity, column.property, hidden);
  hidden.value = undefined;
}
