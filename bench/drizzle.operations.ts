import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { and, asc, count, desc, eq, isNull, sql } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { Client } from 'pg';
import { chunks, newRow, pgUsers, sqliteUsers } from './peer-schema';
import { LIST_FILTER } from './seed-data';
import { PAGE_SIZE, type PagePosition, type UserOperations } from './user-operations';

/** The operations a peer ORM is measured on: every row but search, which is engine-specific SQL. */
export type PeerOperations = Omit<UserOperations, 'search'>;

// Drizzle's SQLite and PostgreSQL builders have the same methods but unrelated types: the
// queries are written once for both, over `any`, and each engine's function uses them.

/**
 * The queries every row runs, built once and prepared (`.prepare(name)`; better-sqlite3 ignores
 * the name): the same filters, order, page and columns as the library.
 */
function preparedQueries(db: any, u: typeof sqliteUsers | typeof pgUsers) {
  const live = isNull(u.deletedAt);
  const p = (name: string) => sql.placeholder(name);
  const listed = and(eq(u.status, p('status')), eq(u.role, p('role')), live);
  const inOrder = (q: any) => q.orderBy(asc(u.createdAt), asc(u.id));
  return {
    byId: db
      .select()
      .from(u)
      .where(and(eq(u.id, p('id')), live))
      .prepare('d_by_id'),
    list: db
      .select()
      .from(u)
      .where(listed)
      .orderBy(desc(u.createdAt), desc(u.id))
      .limit(PAGE_SIZE)
      .offset(2 * PAGE_SIZE)
      .prepare('d_list'),
    counted: db.select({ n: count() }).from(u).where(listed).prepare('d_count'),
    countLive: db.select({ n: count() }).from(u).where(live).prepare('d_count_live'),
    update: db
      .update(u)
      .set({ lastLogin: sql`${p('lastLogin')}`, updatedAt: sql`${p('now')}` })
      .where(and(eq(u.id, p('id')), live))
      .returning()
      .prepare('d_update'),
    first: inOrder(db.select().from(u).where(live))
      .limit(PAGE_SIZE + 1)
      .prepare('d_first'),
    after: inOrder(
      db
        .select()
        .from(u)
        .where(and(live, sql`(${u.createdAt}, ${u.id}) > (${p('at')}, ${p('id')})`)),
    )
      .limit(PAGE_SIZE + 1)
      .prepare('d_after'),
    offset: inOrder(db.select().from(u).where(live))
      .limit(PAGE_SIZE)
      .offset(p('offset'))
      .prepare('d_offset'),
  };
}

const insertRow = (input: Parameters<PeerOperations['create']>[0], now: string) =>
  newRow(input, randomUUID(), now);

/** Drizzle on better-sqlite3, every query prepared once, run synchronously as Drizzle allows. */
export function drizzleSqliteOperations(client: Database.Database): PeerOperations {
  const db = drizzleSqlite(client);
  const u = sqliteUsers;
  const q = preparedQueries(db, u);
  return {
    create: (input) => db.insert(u).values(insertRow(input, new Date().toISOString())).run(),
    findById: (id) => q.byId.get({ id }),
    findMany: () => q.list.all(LIST_FILTER),
    count: () => q.counted.get(LIST_FILTER),
    update: (id, lastLogin) => q.update.get({ id, lastLogin, now: new Date().toISOString() }),
    createMany: (inputs) =>
      db.transaction((tx) => {
        const now = new Date().toISOString();
        for (const chunk of chunks(inputs))
          tx.insert(u)
            .values(chunk.map((input) => insertRow(input, now)))
            .run();
      }),
    firstPage: () => q.first.all(),
    deepCursorPage: (position: PagePosition) =>
      q.after.all({ at: position.afterCreatedAt, id: position.afterId }),
    deepOffsetPage: (position: PagePosition) => [
      q.offset.all({ offset: position.offset }),
      q.countLive.get(),
    ],
  };
}

/** Drizzle on one node-postgres client, every query prepared (named) once. */
export function drizzlePostgresOperations(client: Client): PeerOperations {
  const db = drizzlePg(client);
  const u = pgUsers;
  const q = preparedQueries(db, u);
  return {
    // A Drizzle query is a lazy thenable, not a Promise: execute() sends it.
    create: (input) => db.insert(u).values(insertRow(input, new Date().toISOString())).execute(),
    findById: (id) => q.byId.execute({ id }),
    findMany: () => q.list.execute(LIST_FILTER),
    count: () => q.counted.execute(LIST_FILTER),
    update: (id, lastLogin) => q.update.execute({ id, lastLogin, now: new Date().toISOString() }),
    createMany: (inputs) =>
      db.transaction(async (tx) => {
        const now = new Date().toISOString();
        for (const chunk of chunks(inputs))
          await tx.insert(u).values(chunk.map((input) => insertRow(input, now)));
      }),
    firstPage: () => q.first.execute(),
    deepCursorPage: (position: PagePosition) =>
      q.after.execute({ at: position.afterCreatedAt, id: position.afterId }),
    deepOffsetPage: (position: PagePosition) =>
      Promise.all([q.offset.execute({ offset: position.offset }), q.countLive.execute()]),
  };
}
