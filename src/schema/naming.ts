/** Turns an entity property name into its column name: `firstName` → `first_name`. */
export function toSnakeCase(property: string): string {
  return property.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
