import type {
  ICursorPaginatedResult,
  ICursorPaginationOptions,
  IPaginatedResult,
} from '../../src/adapters/database-adapter.interface';

/** The rows of a cursor walk, in the order its pages gave them, and how many pages it took. */
export interface CursorWalk<T> {
  rows: T[];
  pages: number;
}

/**
 * Reads a cursor walk to its end: `findPage(pagination)` reads one page (first with `after:
 * null`, then each page's `nextCursor`), `limit` rows at a time. Throws when the walk has not
 * ended after `maxPages` pages — what a cursor that does not move past its own rows looks like —
 * or when a page is not a cursor page.
 */
export async function walkCursor<T>(
  findPage: (
    pagination: ICursorPaginationOptions,
  ) => Promise<IPaginatedResult<T> | ICursorPaginatedResult<T>>,
  limit: number,
  maxPages = 50,
): Promise<CursorWalk<T>> {
  const rows: T[] = [];
  let after: string | null = null;
  for (let pages = 1; pages <= maxPages; pages++) {
    const page = await findPage({ after, limit });
    if (!('nextCursor' in page))
      throw new Error('findPage returned an offset page in a cursor walk');
    rows.push(...page.data);
    if (page.nextCursor === null) return { rows, pages };
    after = page.nextCursor;
  }
  throw new Error(`The cursor walk did not end within ${maxPages} pages`);
}
