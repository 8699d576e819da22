import type { IFilterOptions } from '../adapters/database-adapter.interface';
import { ValidationException } from '../exceptions';
import type { ColumnDefinition, TableDefinition } from '../schema/table-definition';
import { checkLikePattern, checkPatternSize, containsPattern } from './like-pattern';
import { normalizeScalar } from './normalize-value';
import { GROUP_KEYS, planGroup, type GroupBudget, type PlanBranch } from './plan-groups';
import type { QueryLimits } from './plan-query';
import type { ComparisonOperator, Condition } from './query-plan';

/**
 * Filters planned into conditions: each key looked up in the table definition, each value
 * checked against its column and normalized, operators and the shortcuts (`search`,
 * `createdAfter`, `createdBefore`) turned into {@link Condition}s. Throws ValidationException
 * naming the first bad field.
 */

const COMPARISONS: readonly ComparisonOperator[] = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte'];
const OPERATORS = new Set<string>([...COMPARISONS, 'in', 'like', 'ilike', 'isNull']);
const SHORTCUTS = new Set(['search', 'createdAfter', 'createdBefore']);

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
  );
}

export function filterColumn(table: TableDefinition<any>, field: string): ColumnDefinition {
  const column = table.column(field);
  if (!column) {
    throw new ValidationException(`Unknown filter field "${field}" for ${table.name}`, field);
  }
  return requireQueryable(column, field, 'filtered');
}

/** A sensitive column may be filtered or ordered on only when its table opts in. */
export function requireQueryable(
  column: ColumnDefinition,
  field: string,
  what: string,
): ColumnDefinition {
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
  if (filters === undefined || filters === null) return [];
  return planFilterSet(table, filters, limits, 'filters', 0, { terms: 0 });
}

/** One filter set (the top level, or a branch of a group `depth` levels down) at `path`. */
function planFilterSet(
  table: TableDefinition<any>,
  filters: unknown,
  limits: QueryLimits,
  path: string,
  depth: number,
  budget: GroupBudget,
): Condition[] {
  const conditions: Condition[] = [];
  if (!isPlainObject(filters)) throw new ValidationException(`${path} must be an object`, path);
  for (const field of Object.keys(filters)) {
    const value = filters[field];
    // A property given as undefined is not given: what an absent query-string parameter becomes.
    if (value === undefined) continue;
    if (GROUP_KEYS.has(field) && !table.column(field)) {
      const where = depth === 0 ? field : `${path}.${field}`;
      const planBranch: PlanBranch = (branch, branchPath) =>
        planFilterSet(table, branch, limits, branchPath, depth + 1, budget);
      conditions.push(...planGroup(field, value, where, depth, budget, planBranch));
      continue;
    }
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
