import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { containsPattern } from '../src/query/like-pattern';
import type { UserCreateInput } from '../src/repositories/user.repository';
import { chunks } from './peer-schema';
import { LIST_FILTER, USER_COLUMNS, type UserRow } from './seed-data';
import { PAGE_SIZE, SEARCH_LIMIT, type PagePosition, type UserOperations } from './user-operations';

const LIVE = 'deleted_at IS NULL';
const ORDER = 'ORDER BY created_at, id';
const COLUMN_TYPES = [
  'uuid',
  'text',
  'text',
  'text',
  'text',
  'text',
  'bool',
  'timestamptz',
  'timestamptz',
];

/** The raw node-postgres side, plus the unindexed search scan the trigram index is compared with. */
export interface PostgresRawOperations extends UserOperations {
  /** The substring search on `lower(column)`, which no trigram index serves: a scan. */
  searchScan(text: string): unknown;
}

/** Inserts seed rows in batches of 10,000 through `unnest`, one statement per batch. */
export async function seedPostgres(client: Client, rows: readonly UserRow[]): Promise<void> {
  const text = `INSERT INTO users (${USER_COLUMNS.join(', ')}) SELECT * FROM unnest(${COLUMN_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ')})`;
  for (let start = 0; start < rows.length; start += 10_000) {
    const batch = rows.slice(start, start + 10_000);
    await client.query(
      text,
      USER_COLUMNS.map((_, column) => batch.map((row) => row[column])),
    );
  }
}

/**
 * The operations as an application would write them on one node-postgres client: parameterized
 * queries, which node-postgres sends as unnamed statements (parsed on every call).
 */
export function postgresRawOperations(client: Client): PostgresRawOperations {
  const insert = `INSERT INTO users (${USER_COLUMNS.join(', ')}) VALUES (${USER_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;
  const insertParams = (input: UserCreateInput, now: string): unknown[] => [
    randomUUID(),
    input.email.toLowerCase(),
    input.firstName,
    input.lastName,
    input.role,
    input.status,
    input.emailVerified,
    now,
    now,
  ];
  const width = USER_COLUMNS.length;
  // A multi-row INSERT text per chunk size, built once (a 10,000-row batch uses one size).
  const multiInserts = new Map<number, string>();
  const multiInsert = (rows: number) => {
    let text = multiInserts.get(rows);
    if (text === undefined) {
      const tuples = Array.from(
        { length: rows },
        (_, r) => `(${USER_COLUMNS.map((_c, i) => `$${r * width + i + 1}`).join(', ')})`,
      );
      text = `INSERT INTO users (${USER_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`;
      multiInserts.set(rows, text);
    }
    return text;
  };
  const searchSql = (column: (name: string, i: number) => string) =>
    `SELECT * FROM users WHERE ${LIVE} AND (${['email', 'first_name', 'last_name'].map(column).join(' OR ')}) ${ORDER} LIMIT ${SEARCH_LIMIT}`;
  const indexedSearch = searchSql((name, i) => `${name} ILIKE $${i + 1} ESCAPE '\\'`);
  const scanSearch = searchSql((name, i) => `lower(${name}) LIKE lower($${i + 1}) ESCAPE '\\'`);
  return {
    create: (input) => client.query(insert, insertParams(input, new Date().toISOString())),
    findById: (id) => client.query(`SELECT * FROM users WHERE id = $1 AND ${LIVE}`, [id]),
    findMany: () =>
      client.query(
        `SELECT * FROM users WHERE status = $1 AND role = $2 AND ${LIVE} ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4`,
        [LIST_FILTER.status, LIST_FILTER.role, PAGE_SIZE, 2 * PAGE_SIZE],
      ),
    count: () =>
      client.query(`SELECT COUNT(*) FROM users WHERE status = $1 AND role = $2 AND ${LIVE}`, [
        LIST_FILTER.status,
        LIST_FILTER.role,
      ]),
    update: (id, lastLogin) =>
      client.query(
        `UPDATE users SET last_login = $1, updated_at = $2 WHERE id = $3 AND ${LIVE} RETURNING *`,
        [lastLogin, new Date().toISOString(), id],
      ),
    createMany: async (inputs) => {
      const now = new Date().toISOString();
      await client.query('BEGIN');
      try {
        for (const chunk of chunks(inputs)) {
          await client.query(
            multiInsert(chunk.length),
            chunk.flatMap((input) => insertParams(input, now)),
          );
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
    search: (text) => {
      const pattern = containsPattern(text);
      return client.query(indexedSearch, [pattern, pattern, pattern]);
    },
    searchScan: (text) => {
      const pattern = containsPattern(text);
      return client.query(scanSearch, [pattern, pattern, pattern]);
    },
    firstPage: () =>
      client.query(`SELECT * FROM users WHERE ${LIVE} ${ORDER} LIMIT $1`, [PAGE_SIZE + 1]),
    deepCursorPage: (position: PagePosition) =>
      client.query(
        `SELECT * FROM users WHERE ${LIVE} AND (created_at, id) > ($1, $2) ${ORDER} LIMIT $3`,
        [position.afterCreatedAt, position.afterId, PAGE_SIZE + 1],
      ),
    deepOffsetPage: (position: PagePosition) =>
      Promise.all([
        client.query(`SELECT * FROM users WHERE ${LIVE} ${ORDER} LIMIT $1 OFFSET $2`, [
          PAGE_SIZE,
          position.offset,
        ]),
        client.query(`SELECT COUNT(*) FROM users WHERE ${LIVE}`),
      ]),
  };
}
