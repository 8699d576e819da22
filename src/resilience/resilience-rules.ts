// The one table of how the resilience layer treats each table operation of the contract: its
// retry kind (what running it again risks) and what its size guard checks. A new operation of the
// contract is one line here; typecheck fails until it has its line.
import type { ValidationException } from '../exceptions';
import type { RuledContractMethod } from '../observation/layer-operations';
import { filterSizeViolation, type InputSizeLimits, writeSizeViolation } from './input-size.guard';
import type { OperationKind } from './retry-policy';

/** The first input of a call that is too large, or undefined. */
type SizeCheck = (
  args: readonly unknown[],
  limits: InputSizeLimits,
) => ValidationException | undefined;

/** How the layer treats one operation: its retry kind, and its size check if it takes input. */
export interface ResilienceRule {
  readonly kind: OperationKind;
  readonly check?: SizeCheck;
}

/** The values written by the argument at `at` (a row, or the data of an update). */
const written =
  (at: number): SizeCheck =>
  (args, limits) =>
    writeSizeViolation(args[at], limits);

/** The rows of a bulk input at `at`: the first whose values are too large. */
const rows =
  (at: number): SizeCheck =>
  (args, limits) => {
    const data = args[at];
    if (!Array.isArray(data)) return undefined;
    for (const row of data) {
      const tooLarge = writeSizeViolation(row, limits);
      if (tooLarge) return tooLarge;
    }
    return undefined;
  };

/** Filters given as the argument at `at`. */
const filters =
  (at: number): SizeCheck =>
  (args, limits) =>
    filterSizeViolation(args[at], limits);

/** The `filters` of the options at `at` (reads, aggregate, claim). */
const optionFilters =
  (at: number): SizeCheck =>
  (args, limits) =>
    filterSizeViolation((args[at] as { filters?: unknown } | undefined)?.filters, limits);

const both =
  (first: SizeCheck, second: SizeCheck): SizeCheck =>
  (args, limits) =>
    first(args, limits) ?? second(args, limits);

/** The `set` of a claim's options. */
const claimSet: SizeCheck = (args, limits) =>
  writeSizeViolation((args[0] as { set?: unknown } | undefined)?.set, limits);

/**
 * Every table operation but `iterate` (its batches are this layer's own findPage calls), by name. Reads are retried after connection failures and timeouts; an
 * upsert (`idempotent-write`) after connection failures; every other write only when the error
 * proves nothing was sent: a claim that ran holds its rows until their lease ends, an increment
 * would add twice, a bulk write's count cannot be told apart from a repeat's, and raw SQL may
 * write anything.
 */
export const RESILIENCE_RULES = {
  create: { kind: 'write', check: written(0) },
  createMany: { kind: 'write', check: rows(0) },
  upsert: { kind: 'idempotent-write', check: written(0) },
  upsertMany: { kind: 'idempotent-write', check: rows(0) },
  findById: { kind: 'read' },
  findByIds: { kind: 'read' },
  findMany: { kind: 'read', check: optionFilters(0) },
  findPage: { kind: 'read', check: optionFilters(0) },
  findFirst: { kind: 'read', check: optionFilters(0) },
  count: { kind: 'read', check: filters(0) },
  exists: { kind: 'read' },
  aggregate: { kind: 'read', check: optionFilters(0) },
  update: { kind: 'write', check: written(1) },
  increment: { kind: 'write', check: written(4) },
  claim: { kind: 'write', check: both(optionFilters(0), claimSet) },
  softDelete: { kind: 'write' },
  restore: { kind: 'write' },
  hardDelete: { kind: 'write' },
  updateMany: { kind: 'write', check: both(filters(0), written(1)) },
  softDeleteMany: { kind: 'write', check: filters(0) },
  restoreMany: { kind: 'write', check: filters(0) },
  deleteMany: { kind: 'write', check: filters(0) },
  runSql: { kind: 'write' },
} as const satisfies Record<RuledContractMethod<'iterate'>, ResilienceRule>;

/** The name of an operation the table classifies. */
export type RuledOperation = keyof typeof RESILIENCE_RULES;
