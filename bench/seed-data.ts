import { randomUUID } from 'node:crypto';
import { UserRole, UserStatus } from '../src/entities/user.entity';
import type { UserCreateInput } from '../src/repositories/user.repository';

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen'];

/** The filter every findMany/count row uses: about 63% of the seeded users match it. */
export const LIST_FILTER = { status: UserStatus.Active, role: UserRole.User } as const;

/** Seeded rows start here, one second apart, so row k of the default order is seed row k. */
const SEED_EPOCH = Date.UTC(2024, 0, 1);

/** A seeded user as the raw drivers insert it: column values in {@link USER_COLUMNS} order. */
export type UserRow = [
  id: string,
  email: string,
  firstName: string,
  lastName: string,
  role: string,
  status: string,
  emailVerified: boolean,
  createdAt: string,
  updatedAt: string,
];

/** The columns of {@link UserRow}; every other column is NULL. */
export const USER_COLUMNS = [
  'id',
  'email',
  'first_name',
  'last_name',
  'role',
  'status',
  'email_verified',
  'created_at',
  'updated_at',
] as const;

function names(i: number): { firstName: string; lastName: string } {
  return {
    firstName: FIRST_NAMES[i % FIRST_NAMES.length],
    lastName: LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length],
  };
}

/** Seed user `i`: deterministic apart from its id. Status and role spread as 7:2:1 and 9:1. */
export function seedRow(i: number): UserRow {
  const { firstName, lastName } = names(i);
  const at = new Date(SEED_EPOCH + i * 1000).toISOString();
  const status =
    i % 10 < 7 ? UserStatus.Active : i % 10 < 9 ? UserStatus.Inactive : UserStatus.Suspended;
  const role = i % 11 === 0 ? UserRole.Admin : UserRole.User;
  return [
    randomUUID(),
    `${firstName}.${lastName}.${i}@example.com`.toLowerCase(),
    firstName,
    lastName,
    role,
    status,
    i % 3 === 0,
    at,
    at,
  ];
}

/**
 * A search text that matches exactly one seeded user (`knuth.4711@`), in mixed case so the
 * case-insensitive path is exercised.
 */
export function searchText(i: number, seeded: number): string {
  const k = (i * 7919) % seeded;
  return `${names(k).lastName}.${k}@`;
}

/** Input for a user created during the run (`i` keeps emails unique). */
export function newUserInput(i: number): UserCreateInput {
  return {
    email: `new.user.${i}@example.org`,
    firstName: 'New',
    lastName: `User${i}`,
    role: UserRole.User,
    status: UserStatus.Active,
    emailVerified: false,
  };
}
