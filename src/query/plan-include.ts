import { ValidationException } from '../exceptions';
import { relationOf, type Relation } from '../schema/relations';
import type { ColumnDefinition, TableDefinition } from '../schema/table-definition';
import { isPlainObject, planFilters } from './plan-filters';
import { checkLimit, planFind, type QueryLimits } from './plan-query';
import type { Condition, IncludePlan, RelatedCondition } from './query-plan';

/**
 * Relations in read options, planned: `include` into {@link IncludePlan}s and the `some` / `none`
 * / `every` filters into {@link RelatedCondition}s. Names are looked up in the table's declared
 * relations and every nested option is checked as a read's; errors name the full path
 * (`include.payments.filters.status`).
 */

const INCLUDE_KEYS = new Set(['filters', 'orderBy', 'limit', 'select', 'includeDeleted']);
const QUANTIFIERS = ['some', 'none', 'every'] as const;

/** Runs `plan`, renaming the field of a ValidationException it throws to `prefix.field`. */
function within<R>(prefix: string, plan: () => R): R {
  try {
    return plan();
  } catch (error) {
    if (!(error instanceof ValidationException)) throw error;
    const field = error.field === undefined ? prefix : `${prefix}.${error.field}`;
    throw new ValidationException(error.message, field);
  }
}

/** The plans of a read's `include`, or undefined when it has none. */
export function planInclude(
  table: TableDefinition<any>,
  include: unknown,
  limits: QueryLimits,
): IncludePlan[] | undefined {
  if (include === undefined) return undefined;
  if (!isPlainObject(include))
    throw new ValidationException('include must be an object', 'include');
  const plans: IncludePlan[] = [];
  for (const name of Object.keys(include)) {
    const field = `include.${name}`;
    const relation = relationOf(table, name);
    if (!relation) throw new ValidationException(`${table.name} has no relation "${name}"`, field);
    const spec = include[name];
    if (spec === undefined) continue;
    if (spec !== true && !isPlainObject(spec)) {
      throw new ValidationException(`${field} must be true or an object`, field);
    }
    const options = spec === true ? {} : spec;
    const unknown = Object.keys(options).find((key) => !INCLUDE_KEYS.has(key));
    if (unknown !== undefined) {
      throw new ValidationException(`${field}: unknown option "${unknown}"`, `${field}.${unknown}`);
    }
    plans.push(planOne(relation, options, field, limits));
  }
  return plans.length > 0 ? plans : undefined;
}

function planOne(
  relation: Relation,
  options: Record<string, unknown>,
  field: string,
  limits: QueryLimits,
): IncludePlan {
  let limit = 1;
  if (!relation.single) {
    if (options.limit !== undefined) limit = checkLimit(options.limit, limits, `${field}.limit`);
  } else if (options.limit !== undefined) {
    throw new ValidationException(`${field}: a ${relation.kind} relation takes no limit`, field);
  }
  if (options.includeDeleted !== undefined && typeof options.includeDeleted !== 'boolean') {
    throw new ValidationException(`${field}.includeDeleted must be a boolean`, field);
  }
  const plan = within(field, () =>
    planFind(
      relation.target,
      {
        filters: options.filters as never,
        orderBy: options.orderBy as never,
        includeDeleted: options.includeDeleted as boolean | undefined,
      },
      limits,
      relation.single || options.limit !== undefined ? { limit } : {},
    ),
  );
  return { relation, plan, columns: selectedColumns(relation.target, options.select, field) };
}

function selectedColumns(
  table: TableDefinition<any>,
  select: unknown,
  field: string,
): readonly ColumnDefinition[] {
  if (select === undefined) return table.columns;
  const where = `${field}.select`;
  if (!Array.isArray(select) || select.length === 0) {
    throw new ValidationException(`${where} must be a non-empty array of properties`, where);
  }
  for (const property of select) {
    if (typeof property !== 'string' || !table.column(property)) {
      throw new ValidationException(`${where}: ${table.name} has no property ${property}`, where);
    }
  }
  return table.columns.filter((c) => select.includes(c.property));
}

/**
 * The conditions of a relation filter (`payments: { some: { … } }`), or undefined when `field`
 * names no relation of the table. A quantifier whose filters can match nothing is settled here,
 * so no provider sees a related condition that never holds.
 */
export function planRelationFilter(
  table: TableDefinition<any>,
  field: string,
  value: unknown,
  limits: QueryLimits,
): Condition[] | undefined {
  const relation = table.column(field) ? undefined : relationOf(table, field);
  if (!relation) return undefined;
  if (!isPlainObject(value) || Object.keys(value).length === 0) {
    throw new ValidationException(`${field} takes { some }, { none } or { every }`, field);
  }
  const conditions: Condition[] = [];
  for (const key of Object.keys(value)) {
    const quantifier = QUANTIFIERS.find((q) => q === key);
    if (!quantifier) {
      throw new ValidationException(
        `${field}: unknown relation filter "${key}"`,
        `${field}.${key}`,
      );
    }
    if (value[key] === undefined) continue;
    const target = relation.target;
    const match = within(`${field}.${key}`, () => planFilters(target, value[key] as never, limits));
    const scope: Condition[] = target.softDelete
      ? [{ kind: 'null', column: target.column('deletedAt')!, isNull: true }]
      : [];
    const never = match.some((c) => c.kind === 'never');
    if (quantifier === 'some' && never) conditions.push({ kind: 'never' });
    else if (quantifier === 'none' && never) continue;
    else if (quantifier === 'every' && never)
      conditions.push({ kind: 'related', relation, quantifier: 'none', scope, match: [] });
    else if (quantifier === 'every' && match.length === 0) continue;
    else conditions.push({ kind: 'related', relation, quantifier, scope, match });
  }
  return conditions;
}

/** The shape of a related condition, its inner conditions shaped by `shape`. */
export function relatedShape(c: RelatedCondition, shape: (c: Condition) => string): string {
  const inner = [...c.scope, ...c.match].map(shape).join('&');
  return `${c.relation.name}.${c.quantifier}(${c.scope.length}:${inner})`;
}

/** The part of a plan's shape its includes add. */
export function includeShape(include: readonly IncludePlan[]): string {
  return include
    .map((i) => `|+${i.relation.name}(${i.plan.shape};${i.columns.map((c) => c.column)})`)
    .join('');
}
