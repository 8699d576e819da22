// The one table of how the cache layer treats each operation of the contract. A new operation is
// one line here; typecheck fails until it has its line.
import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import { argumentsKey } from './cache-codec';

/** A read that may be cached: where its table and its options (with `cache`) are among its arguments. */
export interface CachedReadRule {
  readonly kind: 'read';
  readonly tableAt: number;
  readonly optionsAt: number;
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

const read = (tableAt: number, optionsAt: number): CachedReadRule => ({
  kind: 'read',
  tableAt,
  optionsAt,
});
const write = (tableAt: number): OperationRule => ({ kind: 'write', tableAt });

/**
 * The safe rule for an operation whose effect is not known: a write to every table. Use it for
 * anything that is not plainly a read of one table.
 */
export const WRITE_EVERY_TABLE: OperationRule = { kind: 'write-every-table' };

/** The methods of the contract (every function-valued member). */
type ContractMethod = {
  [K in keyof IDatabaseAdapter]-?: IDatabaseAdapter[K] extends (...args: never[]) => unknown
    ? K
    : never;
}[keyof IDatabaseAdapter];

/** The contract's methods the layer implements itself: transactions and the connection's own. */
export type OwnOperation =
  | 'transaction'
  | 'beginTransaction'
  | 'commitTransaction'
  | 'rollbackTransaction'
  | 'ping'
  | 'close';

/** Every other operation of the contract, by name, with its argument positions. */
export const CACHE_OPERATION_RULES = {
  findById: read(1, 2),
  findByIds: read(1, 2),
  findMany: read(1, 0),
  findFirst: read(1, 0),
  findPage: read(1, 0),
  count: read(1, 2),
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
} as const satisfies Record<Exclude<ContractMethod, OwnOperation>, OperationRule>;

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
