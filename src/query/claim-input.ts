import type { ClaimOptions } from '../adapters/database-adapter.interface';
import { ValidationException } from '../exceptions';
import type { ColumnDefinition, IBaseEntity, TableDefinition } from '../schema/table-definition';
import { incrementBounds, incrementColumn } from './operation-input';
import { normalizeUpdate, type WriteValues } from './normalize-write';
import { isPlainObject } from './plan-filters';
import { checkLimit, planFind, type QueryLimits } from './plan-query';
import type { QueryPlan } from './query-plan';

/** The longest lease a claim takes: PostgreSQL binds its length as an `integer` of milliseconds. */
export const MAX_LEASE_MS = 2_147_483_647;

/** A claim's options checked against its table, the same way on every provider. */
export interface CheckedClaim {
  /**
   * The rows that may be picked: live, matching the filters, and (with an increment) whose counter
   * can take the step; in order, `limit` at most. The lease test is not among its conditions: its
   * "now" is the provider's to read.
   */
  readonly plan: QueryPlan & { limit: number };
  /** The values written into each picked row, `updatedAt` included. */
  readonly set: WriteValues;
  /** The lease column and its length, when a lease is taken. */
  readonly lease?: { readonly column: ColumnDefinition; readonly ms: number };
  /** The counter and its step, when one is added to. */
  readonly counter?: { readonly column: ColumnDefinition; readonly by: number };
}

/**
 * Checks and plans `claim` options before anything is sent: ValidationException naming the bad
 * option (`limit`, `lease.until`, `lease.ms`, a filter, a `set` property, the increment's field),
 * or a `set` that writes the lease or the counter the claim itself writes.
 */
export function checkClaim<T extends IBaseEntity>(
  table: TableDefinition<T>,
  options: ClaimOptions<T>,
  limits: QueryLimits,
  now: string,
): CheckedClaim {
  if (!isPlainObject(options))
    throw new ValidationException('claim options must be an object', 'options');
  const limit = checkLimit(options.limit, limits, 'limit');
  const lease = options.lease === undefined ? undefined : checkLease(table, options.lease);
  const counter =
    options.increment === undefined ? undefined : checkIncrement(table, options.increment);
  const set = normalizeUpdate(table, options.set ?? {}, now);
  for (const written of [lease?.column, counter?.column]) {
    if (written && set.has(written)) {
      throw new ValidationException(
        `claim: set cannot write ${written.property}, which the claim itself writes`,
        written.property,
      );
    }
  }
  const plan = planFind(table, { filters: options.filters, orderBy: options.orderBy }, limits, {
    limit,
  }) as QueryPlan & { limit: number };
  if (counter) {
    const [low, high] = incrementBounds(counter.column, counter.by);
    plan.conditions.push(
      { kind: 'compare', column: counter.column, op: 'gte', value: low },
      { kind: 'compare', column: counter.column, op: 'lte', value: high },
    );
  }
  return { plan, set, lease, counter };
}

function checkLease(
  table: TableDefinition<any>,
  lease: unknown,
): { column: ColumnDefinition; ms: number } {
  if (!isPlainObject(lease))
    throw new ValidationException('claim: lease must be an object', 'lease');
  const { until, ms } = lease;
  const column = typeof until === 'string' ? table.column(until) : undefined;
  if (
    !column ||
    column.type !== 'timestamp' ||
    !column.nullable ||
    ['createdAt', 'updatedAt', 'deletedAt'].includes(column.property)
  ) {
    throw new ValidationException(
      `claim: lease.until must name a nullable timestamp property of ${table.name}`,
      'lease.until',
    );
  }
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1 || ms > MAX_LEASE_MS) {
    throw new ValidationException(
      `claim: lease.ms must be an integer from 1 to ${MAX_LEASE_MS}`,
      'lease.ms',
    );
  }
  return { column, ms };
}

function checkIncrement(
  table: TableDefinition<any>,
  increment: unknown,
): { column: ColumnDefinition; by: number } {
  if (!isPlainObject(increment))
    throw new ValidationException('claim: increment must be an object', 'increment');
  const column = incrementColumn(table, increment.field as string, increment.by);
  return { column, by: increment.by as number };
}
