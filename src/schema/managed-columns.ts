import type { ColumnOptions } from './column-options';

/**
 * The columns the library manages: it sets them, callers never write them. Every table has `id`,
 * `createdAt` and `updatedAt`; soft-delete tables `deletedAt`; versioned tables `version`.
 */

/** The managed columns of every table (`deletedAt` on soft-delete tables only). */
export const MANAGED_COLUMNS = Object.freeze({
  id: { type: 'uuid' },
  createdAt: { type: 'timestamp' },
  updatedAt: { type: 'timestamp' },
  deletedAt: { type: 'timestamp', nullable: true },
} satisfies Record<string, ColumnOptions>);

/**
 * The managed column of a versioned table: 1 on create, one more on every change of the row.
 * `DEFAULT 1` in generated DDL, so adding it to a table that has rows gives each version 1.
 */
export const VERSION_COLUMN: Readonly<ColumnOptions> = Object.freeze({
  type: 'integer',
  default: 1,
});

/**
 * The property names the library manages. `version` is reserved on every table: a table that
 * wants one declares `versioned: true` instead of a column of that name.
 */
export const MANAGED_PROPERTIES: ReadonlySet<string> = new Set([
  'id',
  'createdAt',
  'updatedAt',
  'deletedAt',
  'version',
]);
