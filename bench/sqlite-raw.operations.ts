import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { containsPattern } from '../src/query/like-pattern';
import type { UserCreateInput } from '../src/repositories/user.repository';
import { chunks } from './peer-schema';
import { LIST_FILTER, USER_COLUMNS, type UserRow } from './seed-data';
import { PAGE_SIZE, SEARCH_LIMIT, type PagePosition, type UserOperations } from './user-operations';

const LIVE = 'deleted_at IS NULL';
const ORDER = 'ORDER BY created_at, id';
const SEARCH_SCAN = `(lower(email) LIKE lower(?) ESCAPE '\\' OR lower(first_name) LIKE lower(?) ESCAPE '\\' OR lower(last_name) LIKE lower(?) ESCAPE '\\')`;

/** The raw better-sqlite3 side, plus the unindexed search scan the index is compared with. */
export interface SqliteRawOperations extends UserOperations {
  /** The substring search as a plain LIKE scan over the three columns. */
  searchScan(text: string): unknown;
  /** Whether the FTS5 trigram index `users_search` exists. */
  readonly indexedSearch: boolean;
}

/** An FTS5 phrase holding `text` literally (a double quote is doubled). */
export function ftsPhrase(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** Inserts seed rows in one transaction, with prepared statements. */
export function seedSqlite(db: Database.Database, rows: Iterable<UserRow>): void {
  const insert = db.prepare(
    `INSERT INTO users (${USER_COLUMNS.join(', ')}) VALUES (${USER_COLUMNS.map(() => '?').join(', ')})`,
  );
  db.transaction(() => {
    for (const row of rows) {
      const params: unknown[] = [...row];
      params[6] = row[6] ? 1 : 0;
      insert.run(params);
    }
  })();
}

/**
 * The operations as an application would write them on better-sqlite3: statements prepared once,
 * rows returned as the driver's plain objects.
 */
export function sqliteRawOperations(db: Database.Database): SqliteRawOperations {
  const indexedSearch =
    db
      .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users_search'`)
      .get() !== undefined;
  const insertInto = `INSERT INTO users (${USER_COLUMNS.join(', ')}) VALUES `;
  const tuple = `(${USER_COLUMNS.map(() => '?').join(', ')})`;
  const insert = db.prepare(insertInto + tuple);
  // A multi-row INSERT per chunk size, prepared once (a 10,000-row batch uses one size).
  const multiInserts = new Map<number, Database.Statement>();
  const multiInsert = (rows: number) => {
    let statement = multiInserts.get(rows);
    if (!statement) {
      statement = db.prepare(insertInto + Array.from({ length: rows }, () => tuple).join(', '));
      multiInserts.set(rows, statement);
    }
    return statement;
  };
  const byId = db.prepare(`SELECT * FROM users WHERE id = ? AND ${LIVE}`);
  const list = db.prepare(
    `SELECT * FROM users WHERE status = ? AND role = ? AND ${LIVE} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`,
  );
  const count = db
    .prepare(`SELECT COUNT(*) FROM users WHERE status = ? AND role = ? AND ${LIVE}`)
    .pluck();
  const countLive = db.prepare(`SELECT COUNT(*) FROM users WHERE ${LIVE}`).pluck();
  const update = db.prepare(
    `UPDATE users SET last_login = ?, updated_at = ? WHERE id = ? AND ${LIVE} RETURNING *`,
  );
  const scan = db.prepare(
    `SELECT * FROM users WHERE ${LIVE} AND ${SEARCH_SCAN} ${ORDER} LIMIT ${SEARCH_LIMIT}`,
  );
  // The index narrows to candidate rows; LIKE re-checks them so the semantics stay exactly LIKE's.
  const indexed = indexedSearch
    ? db.prepare(
        `SELECT * FROM users WHERE rowid IN (SELECT rowid FROM users_search WHERE users_search MATCH ?) AND ${LIVE} AND ${SEARCH_SCAN} ${ORDER} LIMIT ${SEARCH_LIMIT}`,
      )
    : undefined;
  const first = db.prepare(`SELECT * FROM users WHERE ${LIVE} ${ORDER} LIMIT ?`);
  const after = db.prepare(
    `SELECT * FROM users WHERE ${LIVE} AND (created_at, id) > (?, ?) ${ORDER} LIMIT ?`,
  );
  const offset = db.prepare(`SELECT * FROM users WHERE ${LIVE} ${ORDER} LIMIT ? OFFSET ?`);
  const insertParams = (input: UserCreateInput, now: string): unknown[] => [
    randomUUID(),
    input.email.toLowerCase(),
    input.firstName,
    input.lastName,
    input.role,
    input.status,
    input.emailVerified ? 1 : 0,
    now,
    now,
  ];
  const searchScan = (text: string) => {
    const pattern = containsPattern(text);
    return scan.all(pattern, pattern, pattern);
  };
  return {
    indexedSearch,
    create: (input) => insert.run(insertParams(input, new Date().toISOString())),
    findById: (id) => byId.get(id),
    findMany: () => list.all(LIST_FILTER.status, LIST_FILTER.role, PAGE_SIZE, 2 * PAGE_SIZE),
    count: () => count.get(LIST_FILTER.status, LIST_FILTER.role),
    update: (id, lastLogin) => update.get(lastLogin, new Date().toISOString(), id),
    createMany: db.transaction((inputs: readonly UserCreateInput[]) => {
      const now = new Date().toISOString();
      for (const chunk of chunks(inputs)) {
        multiInsert(chunk.length).run(chunk.flatMap((input) => insertParams(input, now)));
      }
    }),
    search: (text) => {
      if (!indexed || [...text].length < 3) return searchScan(text);
      const pattern = containsPattern(text);
      return indexed.all(ftsPhrase(text), pattern, pattern, pattern);
    },
    searchScan,
    // One row of look-ahead, as a cursor page needs to know whether another follows.
    firstPage: () => first.all(PAGE_SIZE + 1),
    deepCursorPage: (position: PagePosition) =>
      after.all(position.afterCreatedAt, position.afterId, PAGE_SIZE + 1),
    deepOffsetPage: (position: PagePosition) => [
      offset.all(PAGE_SIZE, position.offset),
      countLive.get(),
    ],
  };
}
