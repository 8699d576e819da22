import {
  context,
  createContextKey,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import { DatabaseException } from '../exceptions';
import { AdapterLayer } from '../observation/adapter-layer';
import { PLAIN_OPERATIONS, TABLE_OPERATIONS } from '../observation/observed.adapter';
import type { TransactionOptions } from '../transactions/transaction-options';
import type { DatabaseTarget } from '../config/database-target';
import { connectionAttributes, DB_SPAN_ATTRIBUTES } from './database-span-attributes';

/** The instrumentation scope the spans are created under. */
export const TRACER_NAME = 'nest-data-layer';

/** Options of {@link TracedAdapter} / {@link withTracing}. */
export interface TracingOptions extends DatabaseTarget {
  /**
   * Where spans go. Default is the global provider of `@opentelemetry/api`: whatever SDK the
   * application registered, and a no-op when it registered none.
   */
  tracerProvider?: TracerProvider;
}

type Call = (...args: unknown[]) => unknown;

/**
 * Set in the context of a `transaction` span: a transaction() call that joins it is a savepoint.
 * Reading it needs a context manager, which every SDK that records spans registers.
 */
const IN_TRANSACTION = createContextKey('nest-data-layer.transaction');

/**
 * Operations that are not wrapped in their span's context: beginTransaction() enters its caller's
 * async context for the transaction it opens, so it must run in that context, not in a child.
 */
const CONTEXT_FREE = new Set<string>([
  'beginTransaction',
  'commitTransaction',
  'rollbackTransaction',
]);

/**
 * The span name of a transaction() call: `savepoint` when it joins a transaction this layer traced
 * (the default REQUIRED propagation, MANDATORY and SUPPORTS), `transaction` otherwise.
 */
function transactionSpanName(active: Context, options: unknown): string {
  if (active.getValue(IN_TRANSACTION) !== true) return 'transaction';
  const propagation = (options as TransactionOptions | undefined)?.propagation;
  return propagation === 'REQUIRES_NEW' || propagation === 'NEVER' ? 'transaction' : 'savepoint';
}

/**
 * Ends a span with the outcome of its call: `error.type` is the exception's class name and the
 * status carries the library's error code, never the message (it may quote values).
 */
function endWithError(span: Span, error: unknown): void {
  const type = (error as { constructor?: { name?: string } } | null)?.constructor?.name;
  span.setAttribute(DB_SPAN_ATTRIBUTES.errorType, type || '_OTHER');
  span.setStatus({
    code: SpanStatusCode.ERROR,
    ...(error instanceof DatabaseException && { message: error.code }),
  });
  span.end();
}

/** Ends `span` when `result` settles, passing the outcome through; a plain value ends it now. */
function settle(span: Span, result: unknown): unknown {
  if (typeof (result as PromiseLike<unknown> | null)?.then !== 'function') {
    span.end();
    return result;
  }
  return (result as Promise<unknown>).then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      endWithError(span, error);
      throw error;
    },
  );
}

/**
 * Gives `target` a traced version of every operation of `source`: each call opens a CLIENT span
 * named `<operation> <table>` under the caller's active span and, but for the transaction
 * handles, runs in that span's context so that what it calls nests under it.
 */
function traceInto(
  target: object,
  source: IDatabaseAdapter,
  tracer: Tracer,
  base: Attributes,
): void {
  const methods = source as unknown as Record<string, Call>;
  const own = target as Record<string, Call>;
  const operations: [string, number | undefined][] = [
    ...Object.entries(TABLE_OPERATIONS),
    ...PLAIN_OPERATIONS.map((name): [string, undefined] => [name, undefined]),
  ];
  for (const [operation, tableAt] of operations) {
    const call = methods[operation].bind(source);
    const isTransaction = operation === 'transaction';
    const enters = !CONTEXT_FREE.has(operation);
    const attributes: Attributes = { ...base, [DB_SPAN_ATTRIBUTES.operation]: operation };
    own[operation] = (...args) => {
      const active = context.active();
      const table = tableAt === undefined ? undefined : tableName(args[tableAt]);
      const name = isTransaction ? transactionSpanName(active, args[1]) : operation;
      const span = tracer.startSpan(
        table ? `${name} ${table}` : name,
        { kind: SpanKind.CLIENT, attributes },
        active,
      );
      // Without an SDK the span records nothing: skip the rest, the call runs as it would.
      if (!span.isRecording()) return call(...args);
      if (table) span.setAttribute(DB_SPAN_ATTRIBUTES.collection, table);
      if (isTransaction && name !== 'transaction') {
        span.setAttribute(DB_SPAN_ATTRIBUTES.operation, name);
      }
      let spanContext = trace.setSpan(active, span);
      if (isTransaction) spanContext = spanContext.setValue(IN_TRANSACTION, true);
      try {
        return settle(
          span,
          enters ? context.with(spanContext, call, undefined, ...args) : call(...args),
        );
      } catch (error) {
        endWithError(span, error);
        throw error;
      }
    };
  }
}

function tableName(table: unknown): string | undefined {
  const name = (table as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/**
 * A layer around any adapter that opens an OpenTelemetry span for every operation, through
 * `@opentelemetry/api` only: with no SDK registered it is a no-op costing one non-recording span
 * per call. Spans follow the database semantic conventions (`db.system.name`,
 * `db.collection.name`, `db.operation.name`, `db.namespace`, `error.type`) and never carry
 * statement text or values. A `transaction` span wraps the calls made in its work, and a nested
 * call is a `savepoint` span under it (docs/health-and-metrics.md › Tracing).
 *
 * Every operation in TABLE_OPERATIONS and PLAIN_OPERATIONS (src/observation/observed.adapter.ts)
 * is traced; the optional pool, table, storage, resilience and cache figures are forwarded.
 */
// The operations are defined per instance by the constructor from the shared list, so a new
// contract method needs no line here; the interface of the same name below says they are there.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class TracedAdapter extends AdapterLayer {
  constructor(inner: IDatabaseAdapter, options: TracingOptions = {}) {
    super(inner);
    const tracer = (options.tracerProvider ?? trace).getTracer(TRACER_NAME);
    traceInto(this, inner, tracer, connectionAttributes(inner.provider, options));
    this.forwardExtras();
  }
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface TracedAdapter extends IDatabaseAdapter {}

/** Wraps an adapter so every operation opens a span; see {@link TracedAdapter}. */
export function withTracing(
  adapter: IDatabaseAdapter,
  options: TracingOptions = {},
): TracedAdapter {
  return new TracedAdapter(adapter, options);
}
