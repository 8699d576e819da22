import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Pool } from 'pg';
import type { PeerOperations } from './drizzle.operations';
import { chunks, newRow, type KyselyDatabase } from './peer-schema';
import { LIST_FILTER } from './seed-data';
import { PAGE_SIZE, type PagePosition } from './user-operations';

type Input = Parameters<PeerOperations['create']>[0];

/** A Kysely row for the users table: snake_case, booleans as the engine stores them. */
function kyselyRow(input: Input, now: string, bool: (value: boolean) => boolean | number) {
  const row = newRow(input, randomUUID(), now);
  return {
    id: row.id,
    email: row.email,
    first_name: row.firstName,
    last_name: row.lastName,
    role: row.role,
    status: row.status,
    email_verified: bool(row.emailVerified),
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

/**
 * Kysely, the query built per call (Kysely has no prepare step; it compiles every call), with the
 * same filters, order, page and columns as the library. `bool` stores a boolean as the engine does.
 */
function kyselyOperations(
  db: Kysely<KyselyDatabase>,
  bool: (value: boolean) => boolean | number,
): PeerOperations {
  const users = () => db.selectFrom('users').selectAll().where('deleted_at', 'is', null);
  return {
    create: (input) =>
      db
        .insertInto('users')
        .values(kyselyRow(input, new Date().toISOString(), bool))
        .execute(),
    findById: (id) => users().where('id', '=', id).executeTakeFirst(),
    findMany: () =>
      users()
        .where('status', '=', LIST_FILTER.status)
        .where('role', '=', LIST_FILTER.role)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(PAGE_SIZE)
        .offset(2 * PAGE_SIZE)
        .execute(),
    count: () =>
      db
        .selectFrom('users')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('status', '=', LIST_FILTER.status)
        .where('role', '=', LIST_FILTER.role)
        .where('deleted_at', 'is', null)
        .executeTakeFirst(),
    update: (id, lastLogin) =>
      db
        .updateTable('users')
        .set({ last_login: lastLogin, updated_at: new Date().toISOString() })
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returningAll()
        .executeTakeFirst(),
    createMany: (inputs) =>
      db.transaction().execute(async (trx) => {
        const now = new Date().toISOString();
        for (const chunk of chunks(inputs))
          await trx
            .insertInto('users')
            .values(chunk.map((input) => kyselyRow(input, now, bool)))
            .execute();
      }),
    firstPage: () =>
      users()
        .orderBy('created_at')
        .orderBy('id')
        .limit(PAGE_SIZE + 1)
        .execute(),
    deepCursorPage: (position: PagePosition) =>
      users()
        .where((eb) =>
          eb(
            eb.refTuple('created_at', 'id'),
            '>',
            eb.tuple(position.afterCreatedAt, position.afterId),
          ),
        )
        .orderBy('created_at')
        .orderBy('id')
        .limit(PAGE_SIZE + 1)
        .execute(),
    deepOffsetPage: (position: PagePosition) =>
      Promise.all([
        users()
          .orderBy('created_at')
          .orderBy('id')
          .limit(PAGE_SIZE)
          .offset(position.offset)
          .execute(),
        db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('deleted_at', 'is', null)
          .executeTakeFirst(),
      ]),
  };
}

/** Kysely on better-sqlite3 (its SqliteDialect), on the library's connection. */
export function kyselySqliteOperations(database: Database.Database): PeerOperations {
  const db = new Kysely<KyselyDatabase>({ dialect: new SqliteDialect({ database }) });
  return kyselyOperations(db, (value) => (value ? 1 : 0));
}

/** Kysely on a node-postgres pool of one connection, as the raw side has one client. */
export function kyselyPostgresOperations(pool: Pool): PeerOperations {
  const db = new Kysely<KyselyDatabase>({ dialect: new PostgresDialect({ pool }) });
  return kyselyOperations(db, (value) => value);
}
