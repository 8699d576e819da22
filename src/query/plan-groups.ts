import { ValidationException } from '../exceptions';
import type { Condition } from './query-plan';

/**
 * Boolean groups of filters: `or: [ {…}, {…} ]` (any branch holds) and `not: {…}` (the set does
 * not hold), nested, ANDed with the filters beside them. Each branch is planned like `filters`
 * (by the callback), then the group is simplified so that a plan never carries a group that is
 * always true or always false: `never` (an empty IN, an empty `or`) stays at the top level, where
 * adapters answer it without a query.
 */

/** The keys that open a group (unless the table has a column of that name). */
export const GROUP_KEYS: ReadonlySet<string> = new Set(['or', 'not']);

/** How deep groups may nest: `or` inside `not` inside `or` … at most this many levels. */
export const MAX_GROUP_DEPTH = 4;

/** How many filters all the groups of one read may hold together (each IN value counts). */
export const MAX_GROUP_TERMS = 1000;

/** What the groups of one read have used so far; one per planned `filters`. */
export interface GroupBudget {
  terms: number;
}

/** Plans one filter set of a group at `path`, one level deeper. */
export type PlanBranch = (filters: Record<string, unknown>, path: string) => Condition[];

/** The conditions of an `or` or `not` group given as `value` at `path` (`or`, `or[1].not`, …). */
export function planGroup(
  key: string,
  value: unknown,
  path: string,
  depth: number,
  budget: GroupBudget,
  planBranch: PlanBranch,
): Condition[] {
  if (depth >= MAX_GROUP_DEPTH) {
    throw new ValidationException(`${path}: groups nest at most ${MAX_GROUP_DEPTH} deep`, path);
  }
  if (key === 'not') return notGroup(branch(value, path, budget, planBranch));
  if (!Array.isArray(value)) {
    throw new ValidationException(`${path} takes an array of filter objects`, path);
  }
  if (value.length > MAX_GROUP_TERMS) {
    throw new ValidationException(`${path} may hold at most ${MAX_GROUP_TERMS} branches`, path);
  }
  // Array.from visits the holes of a sparse array (as undefined, refused), where map skips them.
  const branches = Array.from(value, (filters, i) =>
    branch(filters, `${path}[${i}]`, budget, planBranch),
  );
  return anyGroup(branches);
}

/** One filter set of a group, planned and counted against the budget. */
function branch(
  filters: unknown,
  path: string,
  budget: GroupBudget,
  planBranch: PlanBranch,
): Condition[] {
  if (typeof filters !== 'object' || filters === null || Array.isArray(filters)) {
    throw new ValidationException(`${path} must be a filter object`, path);
  }
  // An empty set is refused rather than read as "always true": `{ email: undefined }` from a
  // missing query parameter would otherwise turn `or` into "every row".
  if (!Object.values(filters).some((v: unknown) => v !== undefined)) {
    throw new ValidationException(`${path} needs at least one filter`, path);
  }
  const conditions = planBranch(filters as Record<string, unknown>, path);
  budget.terms += conditions.reduce((sum, c) => sum + (c.kind === 'in' ? c.values.length : 1), 0);
  if (budget.terms > MAX_GROUP_TERMS) {
    throw new ValidationException(
      `filters: groups may hold at most ${MAX_GROUP_TERMS} filters in all`,
      path,
    );
  }
  return conditions;
}

/** Whether ANDed conditions can hold for no row. */
function isFalse(conditions: readonly Condition[]): boolean {
  return conditions.some((c) => c.kind === 'never');
}

/** `or`: false branches dropped; a true (empty) branch makes the group true (no condition). */
function anyGroup(branches: Condition[][]): Condition[] {
  const possible = branches.filter((b) => !isFalse(b));
  if (possible.some((b) => b.length === 0)) return [];
  if (possible.length === 0) return [{ kind: 'never' }];
  if (possible.length === 1) return possible[0];
  return [{ kind: 'any', branches: possible }];
}

/** `not`: of a false set, true (no condition); of a true (empty) set, false. */
function notGroup(conditions: Condition[]): Condition[] {
  if (isFalse(conditions)) return [];
  if (conditions.length === 0) return [{ kind: 'never' }];
  return [{ kind: 'not', conditions }];
}
