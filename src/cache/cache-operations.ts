// The one table of how the cache layer treats each operation of the contract. A new operation is
// one line here; typecheck fails until it has its line.
import type { RuledContractMethod } from '../observation/layer-operations';
import { argumentsKey } from './cache-codec';

/** A read that may be cached: where its table and its options (with `cache`) are among its arguments. */
export interface CachedReadRule {
  readonly kind: 'read';
  readonly tableAt: number;
  readonly optionsAt: number;
  /** Where its filters are when they are an argument of their own (count); else in the options. */
  readonly filtersAt?: number;
}

/** How the layer treats one operation. */
export type OperationRule =
  | CachedReadRule
  /** A read never cached (a stream, rows of no known table): it goes straight through. */
  | { readonly kind: 'uncached-read' }
  /** A write to the table at `tableAt`: it invalidates that table's cached reads. */
  | { readonly kind: 'write'; readonly tableAt: number }
  /** A write to tables the layer cannot name (raw SQL): it invalidates every table. */
  | { readonly kind: 'write-every-table' };

const read = (tableAt: number, optionsAt: number, filtersAt?: number): CachedReadRule => ({
  kind: 'read',
  tableAt,
  optionsAt,
  filtersAt,
});
const write = (tableAt: number): OperationRule => ({ kind: 'write', tableAt });

/**
 * The safe rule for an operation whose effect is not known: a write to every table. Use it for
 * anything that is not plainly a read of one table.
 */
export const WRITE_EVERY_TABLE: OperationRule = { kind: 'write-every-table' };

/** Every other operation of the contract, by name, with its argument positions. */
export const CACHE_OPERATION_RULES = {
  findById: read(1, 2),
  findByIds: read(1, 2),
  findMany: read(1, 0),
  findFirst: read(1, 0),
  findPage: read(1, 0),
  count: read(1, 2, 0),
  exists: read(1, 2),
  create: write(1),
  createMany: write(1),
  upsert: write(1),
  update: write(2),
  increment: write(3),
  claim: write(1),
  softDelete: write(1),
  restore: write(1),
  hardDelete: write(1),
  upsertMany: write(1),
  updateMany: write(2),
  softDeleteMany: write(1),
  restoreMany: write(1),
  deleteMany: write(1),
  // Not cached yet: its options are checked strictly and carry no `cache`.
  aggregate: { kind: 'uncached-read' },
  // Each batch is a findPage of the layer's inner adapter; a stream is not kept.
  iterate: { kind: 'uncached-read' },
  // Raw SQL may write any table: every table's cached reads go (a SELECT too; docs/caching.md).
  runSql: WRITE_EVERY_TABLE,
} as const satisfies Record<RuledContractMethod, OperationRule>;

/** The name of an operation the table classifies. */
export type RuledOperation = keyof typeof CACHE_OPERATION_RULES;

/** The name of the table an operation was given; empty when it is not a table. */
export function tableName(table: unknown): string {
  const name = (table as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : '';
}

/** The key of a read's arguments, without its table (the key's namespace) and its `cache` field. */
export function readKey(rule: CachedReadRule, args: readonly unknown[]): string | undefined {
  const keyed = args.map((arg, index) => {
    if (index === rule.tableAt) return undefined;
    if (index === rule.optionsAt) return { ...(arg as object), cache: undefined };
    return arg;
  });
  return argumentsKey(keyed);
}

/**
 * Whether a read's result depends on rows of other tables too: it includes relations or filters
 * on them. Such a read is not cached: a write to the other table would not invalidate it, since
 * entries are kept per table.
 */
export function readsOtherTables(rule: CachedReadRule, args: readonly unknown[]): boolean {
  const read = args[rule.optionsAt] as { include?: unknown; filters?: unknown } | undefined;
  if (read?.include !== undefined && read.include !== null) return true;
  const table = args[rule.tableAt] as { relations?: Record<string, unknown> } | undefined;
  const filters = rule.filtersAt === undefined ? read?.filters : args[rule.filtersAt];
  return table?.relations !== undefined && filtersNameRelation(filters, table.relations, 0);
}

function filtersNameRelation(filters: unknown, relations: object, depth: number): boolean {
  if (typeof filters !== 'object' || filters === null || depth > 8) return false;
  for (const [key, value] of Object.entries(filters)) {
    if (Object.prototype.hasOwnProperty.call(relations, key)) return true;
    const groups = key === 'or' && Array.isArray(value) ? value : key === 'not' ? [value] : [];
    if (groups.some((group) => filtersNameRelation(group, relations, depth + 1))) return true;
  }
  return false;
}
