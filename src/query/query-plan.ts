import type { ColumnDefinition, TableDefinition } from '../schema/table-definition';

/** A normalized value: what filters compare against, independent of any driver. */
export type PlanValue = string | number | boolean;

export type ComparisonOperator = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte';

/** One condition of a plan; the plan's conditions are combined with AND. */
export type Condition =
  | { kind: 'compare'; column: ColumnDefinition; op: ComparisonOperator; value: PlanValue }
  | { kind: 'in'; column: ColumnDefinition; values: PlanValue[] }
  | { kind: 'like'; column: ColumnDefinition; pattern: string; caseInsensitive: boolean }
  | { kind: 'null'; column: ColumnDefinition; isNull: boolean }
  /** Any of the columns contains `text` (case-insensitive); `pattern` is `%text%` LIKE-escaped. */
  | { kind: 'search'; columns: readonly ColumnDefinition[]; text: string; pattern: string }
  /** Rows strictly after the cursor position in the plan's order. */
  | { kind: 'after'; keys: readonly CursorKey[] }
  /** Matches nothing (an empty IN list, an empty `or`). Only at the top level of a plan. */
  | { kind: 'never' }
  /** Any of the branches holds; each branch is conditions ANDed (two or more branches). */
  | { kind: 'any'; branches: readonly (readonly Condition[])[] }
  /** The conditions, ANDed, do not hold (SQL NOT: a NULL comparison matches neither way). */
  | { kind: 'not'; conditions: readonly Condition[] };

/** One ordering key of a plan. */
export interface OrderKey {
  column: ColumnDefinition;
  direction: 'asc' | 'desc';
}

/** An ordering key with the cursor's value for it. */
export interface CursorKey extends OrderKey {
  value: PlanValue;
}

/**
 * A validated read: what every adapter translates into its own query language.
 * Soft-delete filtering is already one of the conditions.
 */
export interface QueryPlan {
  table: TableDefinition<any>;
  conditions: Condition[];
  /** Always ends with `id`, so the order is total. Empty for counts. */
  orderBy: OrderKey[];
  limit?: number;
  offset?: number;
  /** The columns to read, in table order, when the caller selected some; else every column. */
  columns?: readonly ColumnDefinition[];
  /** Properties read only to build the next cursor, removed from the rows before returning them. */
  cursorOnly?: readonly string[];
  /** Set for cursor reads: the caller fetches `limit + 1` rows to know whether there is more. */
  cursor?: { limit: number };
  /**
   * A string that is equal for two plans exactly when their query text is equal (same table,
   * columns read, conditions and order; values differ). Adapters key their statement caches on it.
   */
  shape: string;
}
