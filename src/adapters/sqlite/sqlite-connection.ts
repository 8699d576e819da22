import type Database from 'better-sqlite3';
import { SharedConnection } from '../../transactions/shared-connection';
import { mapSqliteError } from './sqlite-error.mapper';

/**
 * SQLite's side of the shared transaction manager: better-sqlite3's one synchronous connection
 * behind the shared lock. `BEGIN IMMEDIATE` takes SQLite's write lock at once, so another process
 * writing the same file makes the transaction wait (`busy_timeout`) instead of failing at COMMIT.
 */
export function sqliteConnection(db: Database.Database): SharedConnection<Database.Database> {
  return new SharedConnection({
    connection: db,
    beginStatement: 'BEGIN IMMEDIATE',
    synchronous: true,
    exec: (connection, statement) => {
      connection.exec(statement);
    },
    inTransaction: (connection) => connection.inTransaction,
    isClosed: (connection) => !connection.open,
    mapError: (error, operation) => mapSqliteError(error, { operation }),
  });
}
