import { DatabaseException } from '../exceptions/database.exception';

/** Why `migrate generate` wrote nothing. */
export type SchemaChangeErrorCode =
  /** The change drops a table or column and dropping was not allowed (`--allow-drop`). */
  | 'SCHEMA_DROP_REFUSED'
  /** The change cannot be made to a table that may hold rows (a NOT NULL column without a default). */
  | 'SCHEMA_CHANGE_UNSAFE'
  /** `schema-snapshot.json`, or a table read from the schema module, is not a valid schema. */
  | 'SCHEMA_INVALID'
  /** The schema module cannot be loaded, or exports no table definition. */
  | 'SCHEMA_MODULE_INVALID'
  /** A bad argument: a migration name, an `--rls-owner` that names no uuid column. */
  | 'SCHEMA_INVALID_ARGUMENT';

/**
 * A migration could not be generated from the table definitions. `code` says why; the message
 * names each table or column concerned and what to do instead.
 */
export class SchemaChangeException extends DatabaseException {
  declare readonly code: SchemaChangeErrorCode;

  constructor(message: string, code: SchemaChangeErrorCode, options: { cause?: unknown } = {}) {
    super(message, code, { cause: options.cause });
  }
}
