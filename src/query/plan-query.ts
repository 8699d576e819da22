import type {
  FindOptions,
  ICursorPaginationOptions,
  IFilterOptions,
  IOrderByOptions,
} from '../adapters/database-adapter.interface';
import { ValidationException } from '../exceptions';
import type { ColumnDefinition, TableDefinition } from '../schema/table-definition';
import { decodeCursor } from './cursor';
import { normalizeScalar } from './normalize-value';
import { isPlainObject, planFilters, requireQueryable } from './plan-filters';
import { planSelect } from './plan-select';
import { includeShape, planInclude, relatedShape } from './plan-include';
import type { Condition, OrderKey, PlanValue, QueryPlan } from './query-plan';

export { planFilters } from './plan-filters';

/** Limits applied to every read. */
export interface QueryLimits {
  /** The largest page a caller may ask for. Default is 100. */
  maxPageSize: number;
  /** The largest IN list a caller may pass. Default is 10,000. */
  maxInListSize: number;
}

export const DEFAULT_QUERY_LIMITS: QueryLimits = { maxPageSize: 100, maxInListSize: 10_000 };

/** The page size used by findPage when the caller gives no pagination. */
export const DEFAULT_PAGE_SIZE = 20;

function planOrder(table: TableDefinition<any>, orderBy: FindOptions['orderBy']): OrderKey[] {
  const requested: readonly IOrderByOptions[] =
    orderBy === undefined
      ? [{ field: 'createdAt' }]
      : Array.isArray(orderBy)
        ? orderBy
        : [orderBy as IOrderByOptions];
  const keys: OrderKey[] = [];
  for (const [index, entry] of requested.entries()) {
    const field = isPlainObject(entry) ? entry.field : undefined;
    const where = `orderBy[${index}].field`;
    if (typeof field !== 'string')
      throw new ValidationException(`${where} must be a property name`, where);
    const column = table.column(field);
    if (!column)
      throw new ValidationException(`Unknown order field "${field}" for ${table.name}`, field);
    if (column.type === 'json')
      throw new ValidationException(`Cannot order by JSON field "${field}"`, field);
    requireQueryable(column, field, 'ordered');
    const direction = entry.direction ?? 'asc';
    if (direction !== 'asc' && direction !== 'desc') {
      throw new ValidationException(
        `orderBy direction must be "asc" or "desc"`,
        `orderBy[${index}].direction`,
      );
    }
    if (!keys.some((k) => k.column === column)) keys.push({ column, direction });
  }
  // Ties are broken by id so every order is total: pages never overlap or skip rows. The id
  // follows the last key's direction, so one index on (key, id) serves the order both ways
  // (read forwards or backwards) instead of a sort.
  if (!keys.some((k) => k.column === table.primaryKey))
    keys.push({ column: table.primaryKey, direction: keys[keys.length - 1]!.direction });
  return keys;
}

/** A page size: an integer from 1 to the page maximum, else a ValidationException on `field`. */
export function checkLimit(
  limit: unknown,
  limits: QueryLimits,
  field = 'pagination.limit',
): number {
  if (
    typeof limit !== 'number' ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > limits.maxPageSize
  ) {
    throw new ValidationException(
      `${field} must be an integer from 1 to ${limits.maxPageSize}`,
      field,
    );
  }
  return limit;
}

/** The cursor signature of an order: a cursor is only valid for the order it was made with. */
export function orderSignature(orderBy: readonly OrderKey[]): string {
  return orderBy.map((k) => `${k.column.property}:${k.direction}`).join(',');
}

function conditionShape(condition: Condition): string {
  switch (condition.kind) {
    case 'compare':
      return `${condition.column.column}${condition.op}`;
    case 'in':
      return `${condition.column.column}in`;
    case 'like':
      return `${condition.column.column}${condition.caseInsensitive ? 'ilike' : 'like'}`;
    case 'null':
      return `${condition.column.column}${condition.isNull ? 'null' : 'notnull'}`;
    case 'search':
      return 'search';
    case 'after':
      return `after:${condition.keys.length}`;
    case 'never':
      return 'never';
    case 'any':
      return `or(${condition.branches.map((b) => b.map(conditionShape).join('&')).join('|')})`;
    case 'not':
      return `not(${condition.conditions.map(conditionShape).join('&')})`;
    case 'related':
      return relatedShape(condition, conditionShape);
  }
}

function shapeOf(
  table: TableDefinition<any>,
  conditions: Condition[],
  orderBy: OrderKey[],
  paged: string,
  columns?: readonly ColumnDefinition[],
): string {
  const read = columns ? `|${columns.map((c) => c.column).join(',')}` : '';
  return `${table.name}|${conditions.map(conditionShape).join('&')}|${orderBy
    .map((k) => `${k.column.column}${k.direction}`)
    .join(',')}|${paged}${read}`;
}

function liveOnly(table: TableDefinition<any>, includeDeleted: boolean | undefined): Condition[] {
  return table.softDelete && !includeDeleted
    ? [{ kind: 'null', column: table.column('deletedAt')!, isNull: true }]
    : [];
}

/** How {@link planFind} treats pagination. */
export interface PlanFindMode {
  /** Fetch one row past a cursor page so the caller knows whether another page follows. */
  lookAhead?: boolean;
  /** Paginate with this default when the caller gives none (findPage). */
  defaultPageSize?: number;
  /** Force a limit (findFirst). */
  limit?: number;
}

/**
 * Validates read options against a table and turns them into a {@link QueryPlan}.
 * Throws ValidationException naming the first bad field.
 */
export function planFind(
  table: TableDefinition<any>,
  options: FindOptions | undefined,
  limits: QueryLimits,
  mode: PlanFindMode = {},
): QueryPlan {
  const opts: FindOptions = options ?? {};
  if (!isPlainObject(opts as unknown))
    throw new ValidationException('find options must be an object', 'options');
  const conditions = [
    ...liveOnly(table, opts.includeDeleted),
    ...planFilters(table, opts.filters, limits),
  ];
  const orderBy = planOrder(table, opts.orderBy);
  let pagination: FindOptions['pagination'] = opts.pagination;
  if (pagination === undefined && mode.defaultPageSize !== undefined) {
    pagination = { page: 1, limit: mode.defaultPageSize };
  }
  const plan: QueryPlan = { table, conditions, orderBy, shape: '' };
  let paged = '';
  if (mode.limit !== undefined) {
    plan.limit = mode.limit;
    paged = 'L';
  } else if (pagination !== undefined) {
    if (!isPlainObject(pagination as unknown))
      throw new ValidationException('pagination must be an object', 'pagination');
    const limit = checkLimit(pagination.limit, limits);
    if ('page' in pagination) {
      const page = pagination.page;
      if (typeof page !== 'number' || !Number.isInteger(page) || page < 1) {
        throw new ValidationException(
          'pagination.page must be an integer of at least 1',
          'pagination.page',
        );
      }
      plan.limit = limit;
      plan.offset = (page - 1) * limit;
      paged = 'LO';
    } else {
      const nullable = orderBy.find((k) => k.column.nullable);
      if (nullable) {
        throw new ValidationException(
          `Cursor pagination cannot order by the nullable field "${nullable.column.property}"`,
          nullable.column.property,
        );
      }
      const after: unknown = (pagination as ICursorPaginationOptions).after;
      if (after !== undefined && after !== null) {
        if (typeof after !== 'string')
          throw new ValidationException('pagination.after must be a string', 'pagination.after');
        const values = decodeCursor(after, orderSignature(orderBy), orderBy.length);
        // Named properties, not a spread of the key: V8 copies a spread object slowly here.
        const keys = orderBy.map(({ column, direction }, i) => ({
          column,
          direction,
          value: normalizeScalar(column, values[i], 'pagination.after'),
        }));
        conditions.push({ kind: 'after', keys });
      }
      plan.cursor = { limit };
      plan.limit = mode.lookAhead ? limit + 1 : limit;
      paged = 'L';
    }
  }
  // A cursor page makes its next cursor from the last row's order keys: read them too.
  const projection = planSelect(table, opts.select, plan.cursor && mode.lookAhead ? orderBy : []);
  if (projection) {
    plan.columns = projection.columns;
    if (projection.cursorOnly.length > 0) plan.cursorOnly = projection.cursorOnly;
  }
  plan.shape = shapeOf(table, conditions, orderBy, paged, plan.columns);
  const include = planInclude(table, opts.include, limits);
  if (include) {
    plan.include = include;
    plan.shape += includeShape(include);
  }
  return plan;
}

/** Plans a count: the same filters as a read, no order, no page. */
export function planCount(
  table: TableDefinition<any>,
  filters: IFilterOptions | undefined,
  includeDeleted: boolean | undefined,
  limits: QueryLimits,
): QueryPlan {
  const conditions = [...liveOnly(table, includeDeleted), ...planFilters(table, filters, limits)];
  return { table, conditions, orderBy: [], shape: shapeOf(table, conditions, [], 'count') };
}

/** The values of a row's order keys, for the cursor after it. */
export function cursorValues(
  row: Record<string, unknown>,
  orderBy: readonly OrderKey[],
): PlanValue[] {
  return orderBy.map((k) => row[k.column.property] as PlanValue);
}
