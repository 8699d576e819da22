import type { CursorFindOptions, IFilterOptions, OffsetFindOptions } from '../../src';
import type { PageQueryDto } from './dto/user.dto';

/** Turns page query parameters into repository read options: cursor when asked for, else offset. */
export function toPageOptions<T>(
  query: PageQueryDto,
  base: Omit<OffsetFindOptions<T>, 'pagination'>,
): OffsetFindOptions<T> | CursorFindOptions<T> {
  const limit = query.limit ?? 20;
  if (query.after !== undefined || query.cursor === true) {
    return { ...base, pagination: { after: query.after ?? null, limit } };
  }
  return { ...base, pagination: { page: query.page ?? 1, limit } };
}

/** Drops undefined entries, so an absent query parameter is no filter at all. */
export function definedFilters<T>(filters: IFilterOptions<T>): IFilterOptions<T> {
  return Object.fromEntries(
    Object.entries(filters).filter(([, value]) => value !== undefined),
  ) as IFilterOptions<T>;
}
