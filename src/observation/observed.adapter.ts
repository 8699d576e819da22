import { performance } from 'node:perf_hooks';
import { Logger } from '@nestjs/common';
import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import type { QueryEvent, QueryObserver } from '../adapters/query-observer';
import { DatabaseException, TransactionException } from '../exceptions';
import { AdapterLayer } from './adapter-layer';
import { collectStatements, StatementTrace } from './statement-trace';

/**
 * The contract's operations on a table, and where each takes its table. Every layer that wraps
 * operations generically (observation here, tracing in src/tracing/) reads this one list, so a new
 * contract method is one line here.
 */
export const TABLE_OPERATIONS = {
  create: 1,
  createMany: 1,
  upsert: 1,
  upsertMany: 1,
  findById: 1,
  findByIds: 1,
  findMany: 1,
  findFirst: 1,
  findPage: 1,
  count: 1,
  exists: 1,
  aggregate: 1,
  update: 2,
  increment: 3,
  claim: 1,
  softDelete: 1,
  restore: 1,
  hardDelete: 1,
  updateMany: 2,
  softDeleteMany: 1,
  restoreMany: 1,
  deleteMany: 1,
  // The table is optional: a raw statement without one is reported with table ''.
  runSql: 1,
} as const;

/**
 * Operations on no table. They are not traced for statements: beginTransaction() must enter its
 * caller's async context, which running it inside a trace's context would undo.
 */
export const PLAIN_OPERATIONS = [
  'transaction',
  'beginTransaction',
  'commitTransaction',
  'rollbackTransaction',
  'ping',
] as const;

type Operation = keyof typeof TABLE_OPERATIONS | (typeof PLAIN_OPERATIONS)[number];
type Call = (...args: unknown[]) => Promise<unknown>;

const logger = new Logger('QueryObserver');

/**
 * Reports every operation of an adapter to `observer`: its duration, its outcome and, when the
 * observer `wantsStatements`, the statements it sent (the adapter notes them in the trace its
 * call carries). The same code serves {@link withObservation} and the adapters' own `observer`
 * option, so every provider reports alike. The success path without statements costs a clock
 * read and one event.
 */
function observed(
  provider: IDatabaseAdapter['provider'],
  operation: Operation,
  tableAt: number | undefined,
  call: Call,
  observer: QueryObserver,
): Call {
  const traced = tableAt !== undefined && observer.wantsStatements === true;
  return (...args) => {
    const started = performance.now();
    const table = tableAt === undefined ? '' : tableName(args[tableAt]);
    const trace = traced ? new StatementTrace() : undefined;
    let pending: Promise<unknown>;
    try {
      pending = trace ? collectStatements(trace, () => call(...args)) : call(...args);
    } catch (error) {
      pending = Promise.reject(error);
    }
    return pending.then(
      (result) => {
        report(
          observer,
          { provider, operation, table, durationMs: performance.now() - started },
          trace,
        );
        return result;
      },
      (error: unknown) => {
        const event: QueryEvent = {
          provider,
          operation,
          table,
          durationMs: performance.now() - started,
          error: asLibraryError(error),
        };
        report(observer, event, trace);
        throw error;
      },
    );
  };
}

function tableName(table: unknown): string {
  const name = (table as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : '';
}

/** A caller's own error thrown out of transaction() is reported as the rollback it caused. */
function asLibraryError(error: unknown): DatabaseException {
  return error instanceof DatabaseException
    ? error
    : new TransactionException('The transaction was rolled back: its work threw', {
        cause: error,
      });
}

function report(observer: QueryObserver, event: QueryEvent, trace?: StatementTrace): void {
  const statement = trace?.statement;
  if (statement !== undefined) {
    event.statement = statement;
    event.params = trace!.params;
  }
  try {
    observer.onQuery(event);
  } catch (observerError) {
    // An observer must not break queries; say so and carry on.
    logger.warn(`A query observer threw: ${(observerError as Error).message}`);
  }
}

/** Wraps each operation of `source` for `observer`, defining it on `target`. */
function observeInto(target: object, source: IDatabaseAdapter, observer: QueryObserver): void {
  const methods = source as unknown as Record<Operation, Call>;
  const own = target as Record<Operation, Call>;
  const operations = [
    ...Object.entries(TABLE_OPERATIONS),
    ...PLAIN_OPERATIONS.map((name) => [name, undefined] as const),
  ] as [Operation, number | undefined][];
  for (const [operation, tableAt] of operations) {
    const call = methods[operation].bind(source);
    own[operation] = observed(source.provider, operation, tableAt, call, observer);
  }
}

/**
 * Makes an adapter report its own operations: what the adapters' `observer` option does. The
 * operations become own properties of the instance, in front of its class's methods.
 */
export function instrumentAdapter(adapter: IDatabaseAdapter, observer: QueryObserver): void {
  observeInto(adapter, adapter, observer);
}

/**
 * A layer around any adapter that reports every operation to `observer` (metrics, query logs),
 * composed like {@link withResilience}. It forwards the optional methods the adapter has (pool,
 * table and storage statistics).
 */
export class ObservedAdapter extends AdapterLayer implements IDatabaseAdapter {
  // Defined per instance by the constructor, each wrapping the inner adapter's.
  declare readonly create: IDatabaseAdapter['create'];
  declare readonly createMany: IDatabaseAdapter['createMany'];
  declare readonly upsert: IDatabaseAdapter['upsert'];
  declare readonly upsertMany: IDatabaseAdapter['upsertMany'];
  declare readonly findById: IDatabaseAdapter['findById'];
  declare readonly findByIds: IDatabaseAdapter['findByIds'];
  declare readonly findMany: IDatabaseAdapter['findMany'];
  declare readonly findFirst: IDatabaseAdapter['findFirst'];
  declare readonly findPage: IDatabaseAdapter['findPage'];
  declare readonly count: IDatabaseAdapter['count'];
  declare readonly exists: IDatabaseAdapter['exists'];
  declare readonly aggregate: IDatabaseAdapter['aggregate'];
  declare readonly update: IDatabaseAdapter['update'];
  declare readonly increment: IDatabaseAdapter['increment'];
  declare readonly claim: IDatabaseAdapter['claim'];
  declare readonly softDelete: IDatabaseAdapter['softDelete'];
  declare readonly restore: IDatabaseAdapter['restore'];
  declare readonly hardDelete: IDatabaseAdapter['hardDelete'];
  declare readonly updateMany: IDatabaseAdapter['updateMany'];
  declare readonly softDeleteMany: IDatabaseAdapter['softDeleteMany'];
  declare readonly restoreMany: IDatabaseAdapter['restoreMany'];
  declare readonly deleteMany: IDatabaseAdapter['deleteMany'];
  declare readonly runSql: IDatabaseAdapter['runSql'];
  declare readonly transaction: IDatabaseAdapter['transaction'];
  declare readonly beginTransaction: IDatabaseAdapter['beginTransaction'];
  declare readonly commitTransaction: IDatabaseAdapter['commitTransaction'];
  declare readonly rollbackTransaction: IDatabaseAdapter['rollbackTransaction'];
  declare readonly ping: IDatabaseAdapter['ping'];

  constructor(inner: IDatabaseAdapter, observer: QueryObserver) {
    super(inner);
    observeInto(this, inner, observer);
    this.forwardExtras();
  }
}

/** Wraps an adapter so every operation is reported to `observer`; see {@link ObservedAdapter}. */
export function withObservation(
  adapter: IDatabaseAdapter,
  observer: QueryObserver,
): ObservedAdapter {
  return new ObservedAdapter(adapter, observer);
}
