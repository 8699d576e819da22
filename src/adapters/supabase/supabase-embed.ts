import { ValidationException } from '../../exceptions';
import type { Condition, QueryPlan, RelatedCondition } from '../../query/query-plan';
import type { IBaseEntity } from '../../schema/table-definition';
import {
  applyConditions,
  applyPlan,
  matchesNothing,
  type FilterableQuery,
  type OrderableQuery,
} from './supabase-query.translator';
import { rowMapper, type PostgrestRow, type SupabaseRowMapper } from './supabase-row.mapper';

/**
 * Relations on PostgREST, through resource embedding: an `include` is an embed
 * (`select=*,payments(*)`) whose filters, order and limit are parameters prefixed with its name
 * (`payments.status=eq.x`, `payments.order=…`, `payments.limit=…`); a relation filter is an empty
 * embed under an alias of its own (`R0`), `!inner` for `some` (a row needs a matching related
 * row), and `R0=is.null` for `none` (PostgREST 11+). What PostgREST cannot say is refused before
 * any request, with a ValidationException: `every` (its negated test has no form there that
 * treats a NULL test as failing), and a relation filter inside an include or another relation
 * filter.
 */

/** The options postgrest-js takes to aim a filter, order or limit at an embedded resource. */
interface Referenced {
  referencedTable?: string;
}

/** The postgrest-js calls an embedded resource's filters and transforms go through. */
export interface EmbeddableQuery<Q> extends OrderableQuery<Q> {
  or(filters: string, options?: Referenced): Q;
  order(column: string, options: { ascending: boolean; nullsFirst: boolean } & Referenced): Q;
  range(from: number, to: number, options?: Referenced): Q;
  limit(count: number, options?: Referenced): Q;
}

/** A query whose filters, order and page apply to the embedded resource named `prefix`. */
class Embedded<Q extends EmbeddableQuery<Q>> implements OrderableQuery<Embedded<Q>> {
  constructor(
    readonly query: Q,
    private readonly prefix: string,
  ) {}
  private with(query: Q): Embedded<Q> {
    return new Embedded(query, this.prefix);
  }
  filter(column: string, operator: string, value: unknown): Embedded<Q> {
    return this.with(this.query.filter(`${this.prefix}.${column}`, operator, value));
  }
  is(column: string, value: null): Embedded<Q> {
    return this.with(this.query.is(`${this.prefix}.${column}`, value));
  }
  not(column: string, operator: string, value: unknown): Embedded<Q> {
    return this.with(this.query.not(`${this.prefix}.${column}`, operator, value));
  }
  or(filters: string): Embedded<Q> {
    return this.with(this.query.or(filters, { referencedTable: this.prefix }));
  }
  order(column: string, options: { ascending: boolean; nullsFirst: boolean }): Embedded<Q> {
    return this.with(this.query.order(column, { ...options, referencedTable: this.prefix }));
  }
  range(from: number, to: number): Embedded<Q> {
    return this.with(this.query.range(from, to, { referencedTable: this.prefix }));
  }
  limit(count: number): Embedded<Q> {
    return this.with(this.query.limit(count, { referencedTable: this.prefix }));
  }
}

/** The alias of the n-th relation filter of a plan: capitalized, so no column or relation has it. */
function filterAlias(n: number): string {
  return `R${n}`;
}

function refuseNested(conditions: readonly Condition[], where: string): void {
  if (conditions.some((c) => c.kind === 'related')) {
    throw new ValidationException(
      `Supabase cannot filter on a relation inside ${where} (PostgREST has no such embedding filter)`,
      where,
    );
  }
}

/**
 * The `select` of a read: `*` (or `columns`), then each include's embed, then each relation
 * filter's empty embed. Throws a ValidationException for what PostgREST cannot express.
 */
export function selectList(plan: QueryPlan, columns = '*'): string {
  const parts = [columns];
  for (const { relation, plan: child, columns: selected } of plan.include ?? []) {
    refuseNested(child.conditions, `include.${relation.name}`);
    const target = relation.target.name;
    const list =
      selected === relation.target.columns ? '*' : selected.map((c) => c.column).join(',');
    parts.push(`${relation.name === target ? '' : `${relation.name}:`}${target}(${list})`);
  }
  let n = 0;
  for (const c of plan.conditions) {
    if (c.kind !== 'related') continue;
    if (c.quantifier === 'every') {
      throw new ValidationException(
        `Supabase cannot express "every" on ${c.relation.name}: use none with the opposite filter`,
        `${c.relation.name}.every`,
      );
    }
    refuseNested(c.match, `${c.relation.name}.${c.quantifier}`);
    const join = c.quantifier === 'some' ? '!inner' : '';
    parts.push(`${filterAlias(n++)}:${c.relation.target.name}${join}()`);
  }
  return parts.join(',');
}

/**
 * Adds the n-th relation filter of a plan (its embed made by {@link selectList}): the related
 * rows' scope and match as filters on the embed, and for `none`, the embed being empty.
 */
export function applyRelated<Q extends FilterableQuery<Q>>(
  query: Q,
  condition: RelatedCondition,
  n: number,
): Q {
  const alias = filterAlias(n);
  const embedded = new Embedded(query as unknown as EmbeddableQuery<any>, alias);
  const filtered = applyConditions(embedded, [...condition.scope, ...condition.match])
    .query as unknown as Q;
  return condition.quantifier === 'none' ? filtered.is(alias, null) : filtered;
}

/** Adds each include's filters, order and per-parent limit to its embed. */
export function applyIncludes<Q>(query: Q, plan: QueryPlan): Q {
  let q = query as unknown as EmbeddableQuery<any>;
  for (const { relation, plan: child } of plan.include ?? []) {
    // A to-one embed is one row or null already; its limit 1 is for the SQL engines' aggregate.
    const page = relation.kind === 'belongsTo' ? { ...child, limit: undefined } : child;
    q = applyPlan(new Embedded(q, relation.name), page).query;
  }
  return q as Q;
}

/** The entity of a row read with includes: each embed mapped through its table's row mapper. */
export function withEmbedded<T extends IBaseEntity>(
  plan: QueryPlan,
  mapper: SupabaseRowMapper<T>,
): (row: PostgrestRow) => T {
  const include = plan.include;
  if (!include) return (row) => mapper.toEntity(row);
  const mappers = include.map((i) => rowMapper(i.relation.target));
  // An include whose filters match nothing (`in: []`) adds no filter to its embed: left out here.
  const nothing = include.map((i) => matchesNothing(i.plan));
  return (row) => {
    const entity = mapper.toEntity(row) as Record<string, unknown>;
    include.forEach(({ relation }, k) => {
      const value = nothing[k] ? [] : row[relation.name];
      const rows = (Array.isArray(value) ? value : value ? [value] : []) as PostgrestRow[];
      const related = rows.map((r) => mappers[k].toEntity(r));
      entity[relation.name] = relation.single ? (related[0] ?? null) : related;
    });
    return entity as T;
  };
}
