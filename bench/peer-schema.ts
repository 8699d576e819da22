import { boolean, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { integer, sqliteTable, text as sqliteText } from 'drizzle-orm/sqlite-core';
import type { Generated } from 'kysely';
import type { UserCreateInput } from '../src/repositories/user.repository';

/**
 * The library's `users` table (migrations/*) as Drizzle and Kysely describe it, every column, so
 * the peers read what the library reads. Timestamps stay strings, as the library returns them.
 */
export const sqliteUsers = sqliteTable('users', {
  id: sqliteText('id').primaryKey(),
  email: sqliteText('email').notNull(),
  firstName: sqliteText('first_name').notNull(),
  lastName: sqliteText('last_name').notNull(),
  passwordHash: sqliteText('password_hash'),
  role: sqliteText('role').notNull(),
  status: sqliteText('status').notNull(),
  emailVerified: integer('email_verified', { mode: 'boolean' }).notNull(),
  phone: sqliteText('phone'),
  avatarUrl: sqliteText('avatar_url'),
  stripeCustomerId: sqliteText('stripe_customer_id'),
  lastLogin: sqliteText('last_login'),
  createdAt: sqliteText('created_at').notNull(),
  updatedAt: sqliteText('updated_at').notNull(),
  deletedAt: sqliteText('deleted_at'),
});

const stamp = (name: string) =>
  timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

export const pgUsers = pgTable('users', {
  id: uuid('id').primaryKey(),
  email: text('email').notNull(),
  firstName: text('first_name').notNull(),
  lastName: text('last_name').notNull(),
  passwordHash: text('password_hash'),
  role: text('role').notNull(),
  status: text('status').notNull(),
  emailVerified: boolean('email_verified').notNull(),
  phone: text('phone'),
  avatarUrl: text('avatar_url'),
  stripeCustomerId: text('stripe_customer_id'),
  lastLogin: stamp('last_login'),
  createdAt: stamp('created_at').notNull(),
  updatedAt: stamp('updated_at').notNull(),
  deletedAt: stamp('deleted_at'),
});

/** The users table for Kysely; booleans are 0/1 on SQLite. */
export interface KyselyUsers {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  password_hash: string | null;
  role: string;
  status: string;
  email_verified: boolean | number;
  phone: string | null;
  avatar_url: string | null;
  stripe_customer_id: string | null;
  last_login: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: Generated<string | null>;
}

export interface KyselyDatabase {
  users: KyselyUsers;
}

/** Rows per multi-row INSERT when a peer or the raw driver stores a batch, as an app would. */
export const PEER_INSERT_CHUNK = 1000;

/** `items` in chunks of {@link PEER_INSERT_CHUNK}. */
export function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += PEER_INSERT_CHUNK)
    out.push(items.slice(i, i + PEER_INSERT_CHUNK));
  return out;
}

/** What every contender does per created row that the library also does: id, email, stamps. */
export function newRow(input: UserCreateInput, id: string, now: string) {
  return {
    id,
    email: input.email.toLowerCase(),
    firstName: input.firstName,
    lastName: input.lastName,
    role: input.role ?? 'User',
    status: input.status ?? 'Active',
    emailVerified: input.emailVerified ?? false,
    createdAt: now,
    updatedAt: now,
  };
}
