import type {
  FindOptions,
  ICursorPaginationOptions,
  IFilterOptions,
  IOrderByOptions,
} from '../adapters/database-adapter.interface';
import { ValidationException } from '../exceptions';
import type { ColumnDefinition, TableDefinition } from '../schema/table-definition';
import { decodeCursor } from './cursor';
import { checkLikePattern, checkPatternSize, containsPattern } from './like-pattern';
import { normalizeScalar } from './normalize-value';
import type { ComparisonOperator, Condition, OrderKey, PlanValue, QueryPlan } from './query-plan';

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

const COMPARISONS: readonly ComparisonOperator[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'];
const OPERATORS = new Set<string>([...COMPARISONS, 'in', 'like', 'ilike', 'isNull']);
const SHORTCUTS = new Set(['search', 'createdAfter', 'createdBefore']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

function filterColumn(table: TableDefinition<any>, field: string): ColumnDefinition {
  const column = table.column(field);
  if (!column) {
    throw new ValidationException(`Unknown filter field "${field}" for ${table.name}`, field);
  }
  return requireQueryable(column, field, 'filtered');
}

/** A sensitive column may be filtered or ordered on only when its table opts in. */
function requireQueryable(column: ColumnDefinition, field: string, what: string): ColumnDefinition {
  if (!column.queryable) {
    throw new ValidationException(`${field} is sensitive and cannot be ${what} on`, field);
  }
  return column;
}

function inCondition(
  column: ColumnDefinition,
  values: unknown,
  field: string,
  limits: QueryLimits,
): Condition {
  if (!Array.isArray(values)) {
    throw new ValidationException(`${field}: "in" takes an array`, field);
  }
  if (values.length > limits.maxInListSize) {
    throw new ValidationException(
      `${field}: an IN list may hold at most ${limits.maxInListSize} values`,
      field,
    );
  }
  // Refused before the empty case, so a JSON column gets one answer whatever the list holds.
  if (column.type === 'json') {
    throw new ValidationException(`${field} is a JSON column and cannot be compared`, field);
  }
  if (values.length === 0) return { kind: 'never' };
  // Array.from visits the holes of a sparse array (as undefined, refused), where map skips them.
  const normalized = [...new Set(Array.from(values, (v) => normalizeScalar(column, v, field)))];
  return { kind: 'in', column, values: normalized };
}

function likeCondition(
  column: ColumnDefinition,
  pattern: unknown,
  field: string,
  caseInsensitive: boolean,
): Condition {
  if (column.type !== 'string' && column.type !== 'text') {
    throw new ValidationException(`${field}: like/ilike apply to text columns only`, field);
  }
  return { kind: 'like', column, pattern: checkLikePattern(pattern, field), caseInsensitive };
}

function operatorConditions(
  column: ColumnDefinition,
  operators: Record<string, unknown>,
  field: string,
  limits: QueryLimits,
): Condition[] {
  const conditions: Condition[] = [];
  const keys = Object.keys(operators);
  if (keys.length === 0) {
    throw new ValidationException(
      `${field}: an operator object needs at least one operator`,
      field,
    );
  }
  for (const op of keys) {
    const operand = operators[op];
    if (!OPERATORS.has(op)) {
      throw new ValidationException(`${field}: unknown operator "${op}"`, field);
    }
    // Inside an operator object undefined is a mistake (an unset variable), not "no filter": a
    // finder passing `{ eq: key }` would otherwise return an arbitrary row.
    if (operand === undefined) {
      throw new ValidationException(`${field}: operator "${op}" has no value (undefined)`, field);
    }
    if (op === 'in') conditions.push(inCondition(column, operand, field, limits));
    else if (op === 'like' || op === 'ilike')
      conditions.push(likeCondition(column, operand, field, op === 'ilike'));
    else if (op === 'isNull') {
      if (typeof operand !== 'boolean')
        throw new ValidationException(`${field}: isNull takes a boolean`, field);
      conditions.push({ kind: 'null', column, isNull: operand });
    } else if (operand === null && (op === 'eq' || op === 'neq')) {
      conditions.push({ kind: 'null', column, isNull: op === 'eq' });
    } else {
      const value = normalizeScalar(column, operand, field);
      conditions.push({ kind: 'compare', column, op: op as ComparisonOperator, value });
    }
  }
  return conditions;
}

/** Turns caller filters into conditions; every key and value is checked against the table. */
export function planFilters(
  table: TableDefinition<any>,
  filters: IFilterOptions | undefined,
  limits: QueryLimits,
): Condition[] {
  const conditions: Condition[] = [];
  if (filters === undefined || filters === null) return conditions;
  if (!isPlainObject(filters))
    throw new ValidationException('filters must be an object', 'filters');
  for (const field of Object.keys(filters)) {
    const value = filters[field];
    // A property given as undefined is not given: what an absent query-string parameter becomes.
    if (value === undefined) continue;
    if (SHORTCUTS.has(field) && !table.column(field)) {
      conditions.push(...shortcutConditions(table, field, value));
      continue;
    }
    const column = filterColumn(table, field);
    if (value === null) conditions.push({ kind: 'null', column, isNull: true });
    else if (Array.isArray(value)) conditions.push(inCondition(column, value, field, limits));
    else if (isPlainObject(value))
      conditions.push(...operatorConditions(column, value, field, limits));
    else
      conditions.push({
        kind: 'compare',
        column,
        op: 'eq',
        value: normalizeScalar(column, value, field),
      });
  }
  return conditions;
}

function shortcutConditions(
  table: TableDefinition<any>,
  field: string,
  value: unknown,
): Condition[] {
  if (field === 'search') {
    if (typeof value !== 'string' || value.includes('\u0000')) {
      throw new ValidationException('search must be a string without NUL', 'search');
    }
    if (value === '') return [];
    if (table.searchable.length === 0) {
      throw new ValidationException(`${table.name} has no searchable columns`, 'search');
    }
    const pattern = containsPattern(value);
    checkPatternSize(pattern, 'search');
    return [{ kind: 'search', columns: table.searchable, text: value, pattern }];
  }
  const createdAt = table.column('createdAt')!;
  return [
    {
      kind: 'compare',
      column: createdAt,
      op: field === 'createdAfter' ? 'gt' : 'lt',
      value: normalizeScalar(createdAt, value, field),
    },
  ];
}

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
  // Ties are broken by id so every order is total: pages never overlap or skip rows.
  if (!keys.some((k) => k.column === table.primaryKey))
    keys.push({ column: table.primaryKey, direction: 'asc' });
  return keys;
}

function checkLimit(limit: unknown, limits: QueryLimits): number {
  if (
    typeof limit !== 'number' ||
    !Number.isInteger(limit) ||
    limit < 1 ||
    limit > limits.maxPageSize
  ) {
    throw new ValidationException(
      `pagination.limit must be an integer from 1 to ${limits.maxPageSize}`,
      'pagination.limit',
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
  }
}

function shapeOf(
  table: TableDefinition<any>,
  conditions: Condition[],
  orderBy: OrderKey[],
  paged: string,
): string {
  return `${table.name}|${conditions.map(conditionShape).join('&')}|${orderBy
    .map((k) => `${k.column.column}${k.direction}`)
    .join(',')}|${paged}`;
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
        const keys = orderBy.map((key, i) => ({
          ...key,
          value: normalizeScalar(key.column, values[i], 'pagination.after'),
        }));
        conditions.push({ kind: 'after', keys });
      }
      plan.cursor = { limit };
      plan.limit = mode.lookAhead ? limit + 1 : limit;
      paged = 'L';
    }
  }
  plan.shape = shapeOf(table, conditions, orderBy, paged);
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
