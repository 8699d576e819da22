import { encodeCursor } from '../src/query/cursor';
import type { UserCreateInput, UserRepository } from '../src/repositories/user.repository';
import { LIST_FILTER } from './seed-data';

/** Where the deep pages start: the row before it, in the default order (createdAt, id). */
export interface PagePosition {
  /** Rows skipped by the deep offset page (90,000 of 100,000 in a full run). */
  offset: number;
  /** createdAt and id of the last row before the deep page, for the cursor. */
  afterCreatedAt: string;
  afterId: string;
}

/** Rows per page of findMany, search and the pages: findMany reads page 3 (offset 20). */
export const PAGE_SIZE = 10;
/** Rows a search returns at most. */
export const SEARCH_LIMIT = 20;

/**
 * The benchmarked operations, done once through the library and once through a raw driver.
 * Every method does one operation; a raw implementation runs the same SQL the library would
 * need and does the same per-call work (ids, timestamps), but maps no rows to entities.
 */
export interface UserOperations {
  create(input: UserCreateInput): unknown;
  findById(id: string): unknown;
  /** Status and role filter, newest first (createdAt, then id, descending), limit 10 offset 20. */
  findMany(): unknown;
  /** The number of users matching the findMany filter. */
  count(): unknown;
  /**
   * Sets lastLogin (what a sign-in does): a column outside the search index, so the row measures
   * the library, not the index triggers (docs/performance.md gives their cost).
   */
  update(id: string, lastLogin: string): unknown;
  /** Inserts every row in one transaction (multi-row statements, where the contender can). */
  createMany(inputs: readonly UserCreateInput[]): unknown;
  /** Case-insensitive substring over email, first and last name; first 20 matches. */
  search(text: string): unknown;
  /** The first cursor page of the default order. */
  firstPage(): unknown;
  /** The page after `position` by cursor. */
  deepCursorPage(position: PagePosition): unknown;
  /** The page at `position.offset` by offset, with the total count, as an offset page has. */
  deepOffsetPage(position: PagePosition): unknown;
}

/** The operations through {@link UserRepository}: what an application calls. */
export function libraryOperations(users: UserRepository, position: PagePosition): UserOperations {
  const cursor = encodeCursor('createdAt:asc,id:asc', [position.afterCreatedAt, position.afterId]);
  const deepPageNumber = position.offset / PAGE_SIZE + 1;
  return {
    create: (input) => users.create(input),
    findById: (id) => users.findById(id),
    findMany: () =>
      users.findMany({
        filters: LIST_FILTER,
        orderBy: { field: 'createdAt', direction: 'desc' },
        pagination: { page: 3, limit: PAGE_SIZE },
      }),
    count: () => users.count(LIST_FILTER),
    update: (id, lastLogin) => users.update(id, { lastLogin }),
    createMany: (inputs) => users.createMany(inputs),
    search: (text) =>
      users.findMany({ filters: { search: text }, pagination: { page: 1, limit: SEARCH_LIMIT } }),
    firstPage: () => users.findWithPagination({ pagination: { limit: PAGE_SIZE } }),
    deepCursorPage: () =>
      users.findWithPagination({ pagination: { after: cursor, limit: PAGE_SIZE } }),
    deepOffsetPage: () =>
      users.findWithPagination({ pagination: { page: deepPageNumber, limit: PAGE_SIZE } }),
  };
}
