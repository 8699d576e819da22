import {
  ConnectionException,
  DatabaseException,
  ForeignKeyException,
  QueryException,
  TransactionException,
  UniqueConstraintException,
  ValidationException,
} from '../../exceptions';
import type { TableDefinition } from '../../schema/table-definition';

/** The table and operation an error happened in, for messages. */
export interface SqliteErrorContext {
  table?: TableDefinition<any>;
  operation: string;
}

function uniqueField(error: Error, table: TableDefinition<any> | undefined): string | undefined {
  if (!table) return undefined;
  // "UNIQUE constraint failed: users.email" (or index '<name>' for expression indexes)
  const columns = /UNIQUE constraint failed: (.+)$/.exec(error.message)?.[1] ?? '';
  for (const part of columns.split(',')) {
    const column = part.trim().split('.').pop() ?? '';
    const found = table.columnByName(column);
    if (found) return found.property;
  }
  return table.unique.find((c) => error.message.includes(c.column))?.property;
}

/**
 * Turns any error thrown by better-sqlite3 into a library exception, keeping it as `cause`.
 * SQLITE_BUSY / SQLITE_LOCKED are retryable; constraint violations are not.
 */
export function mapSqliteError(error: unknown, context: SqliteErrorContext): DatabaseException {
  if (error instanceof DatabaseException) return error;
  // Not `instanceof Error`: better-sqlite3's native addon keeps the SqliteError class of the first
  // realm that loaded it (jest workers, vm contexts), so errors can come from another realm.
  const err: Error =
    typeof error === 'object' && error !== null && typeof (error as Error).message === 'string'
      ? (error as Error)
      : new Error(String(error));
  const code = (err as { code?: unknown }).code;
  const tableName = context.table?.name ?? '';
  const options = { cause: err, details: { operation: context.operation, table: tableName } };
  if (typeof code === 'string') {
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
      return new UniqueConstraintException(tableName, uniqueField(err, context.table), options);
    }
    // ON DELETE RESTRICT reports SQLITE_CONSTRAINT_TRIGGER with the foreign-key message.
    if (
      code === 'SQLITE_CONSTRAINT_FOREIGNKEY' ||
      /FOREIGN KEY constraint failed/.test(err.message)
    ) {
      return new ForeignKeyException(tableName, options);
    }
    if (
      code.startsWith('SQLITE_CONSTRAINT') ||
      code === 'SQLITE_MISMATCH' ||
      code === 'SQLITE_TOOBIG'
    ) {
      return new ValidationException(
        `${tableName}: a value breaks a constraint of the table`,
        undefined,
        options,
      );
    }
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return new TransactionException('The database is busy; try again', {
        ...options,
        retryable: true,
      });
    }
    if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN')) {
      return new ConnectionException('The database file could not be read or written', options);
    }
    if (
      code.startsWith('SQLITE_CORRUPT') ||
      code === 'SQLITE_NOTADB' ||
      code === 'SQLITE_FULL' ||
      code.startsWith('SQLITE_READONLY')
    ) {
      return new ConnectionException('The database file is unusable (corrupt, full or read-only)', {
        ...options,
        retryable: false,
      });
    }
  }
  if (/database connection is not open/i.test(err.message)) {
    return new ConnectionException('The database is closed', { ...options, retryable: false });
  }
  return new QueryException(
    `${context.operation} on ${tableName || 'the database'} failed`,
    options,
  );
}
