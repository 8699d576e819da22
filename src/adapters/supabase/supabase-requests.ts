import type { SupabaseClient } from '@supabase/supabase-js';
import { ConnectionException, DatabaseException, QueryException } from '../../exceptions';
import type { WriteValues } from '../../query/normalize-write';
import type { QueryLimits } from '../../query/plan-query';
import type { Condition } from '../../query/query-plan';
import type { TableDefinition } from '../../schema/table-definition';
import { statementTrace } from '../../observation/statement-trace';
import { REDACTED } from '../query-observer';
import { mapSupabaseError, type PostgrestFailure } from './supabase-error.mapper';
import type { PostgrestRow } from './supabase-row.mapper';

/** A supabase-js result, as far as the adapter reads it. */
export interface PostgrestResult {
  data: unknown;
  error: PostgrestFailure | null;
  count: number | null;
  status: number;
}

/** What the observer asked to see of one operation. */
interface Trace {
  statements: string[];
  params: unknown[];
}

// The request a postgrest-js builder is about to send; read only when statements are wanted.
interface BuilderRequest {
  method?: string;
  url?: URL;
}

/**
 * What every Supabase operation goes through, whatever it reads or writes: one client and its
 * limits, refused after {@link close}, stray errors mapped to library exceptions, and the requests
 * sent noted for an observer that wants statements.
 */
export class SupabaseRequests {
  private closed = false;

  constructor(
    readonly client: SupabaseClient,
    readonly limits: QueryLimits,
  ) {}

  /**
   * Runs one operation on `table` (none for rpc and ping): maps any error to a library exception
   * and, when an observer wants statements, notes the requests sent (method and path, sensitive
   * filters redacted) as one statement.
   */
  async run<R>(
    operation: string,
    table: TableDefinition<any> | undefined,
    work: (call: SupabaseCall) => Promise<R>,
  ): Promise<R> {
    const observed = statementTrace();
    const trace: Trace | undefined = observed ? { statements: [], params: [] } : undefined;
    try {
      if (this.closed)
        throw new ConnectionException('The Supabase adapter is closed', { retryable: false });
      return await work(new SupabaseCall(this.client, this.limits, table, trace));
    } catch (error) {
      throw error instanceof DatabaseException
        ? error
        : new QueryException(`${table?.name || operation}: unexpected error from supabase-js`, {
            cause: error,
          });
    } finally {
      if (observed && trace) observed.add(trace.statements.join('; '), trace.params);
    }
  }

  /** Marks the requests closed (later operations fail) and drops realtime channels; safe twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.removeAllChannels();
  }
}

/**
 * The requests of one operation on one table: sends them, turns failures into the mapped
 * exception, and notes what was sent when the operation is traced.
 */
export class SupabaseCall {
  constructor(
    readonly client: SupabaseClient,
    readonly limits: QueryLimits,
    private readonly table: TableDefinition<any> | undefined,
    private readonly trace: Trace | undefined,
  ) {}

  /** Notes bound values (none of them sensitive) for the trace. */
  note(...params: unknown[]): void {
    this.trace?.params.push(...params);
  }

  /** Notes a write's values in column order, sensitive ones redacted. */
  noteValues(values: WriteValues): void {
    if (!this.trace) return;
    for (const [column, value] of values)
      this.trace.params.push(column.sensitive ? REDACTED : value);
  }

  /** Notes the values a plan's conditions filter on, sensitive ones redacted. */
  noteConditions(conditions: readonly Condition[]): void {
    if (!this.trace) return;
    const params = this.trace.params;
    for (const c of conditions) {
      if (c.kind === 'compare') params.push(c.column.sensitive ? REDACTED : c.value);
      else if (c.kind === 'in') params.push(...(c.column.sensitive ? [REDACTED] : c.values));
      else if (c.kind === 'like') params.push(c.column.sensitive ? REDACTED : c.pattern);
      else if (c.kind === 'search') params.push(c.text);
      else if (c.kind === 'after')
        params.push(...c.keys.map((k) => (k.column.sensitive ? REDACTED : k.value)));
      else if (c.kind === 'any') for (const branch of c.branches) this.noteConditions(branch);
      else if (c.kind === 'not') this.noteConditions(c.conditions);
    }
  }

  /** Sends a built request, noting `METHOD /path?query` (sensitive filters redacted) when traced. */
  async send(builder: PromiseLike<unknown>): Promise<PostgrestResult> {
    if (this.trace) {
      const request = builder as unknown as BuilderRequest;
      if (request.url) {
        const url = new URL(request.url.toString());
        for (const column of this.table?.columns ?? []) {
          if (column.sensitive && url.searchParams.has(column.column))
            url.searchParams.set(column.column, REDACTED);
        }
        this.trace.statements.push(`${request.method ?? 'GET'} ${url.pathname}${url.search}`);
      }
    }
    return (await builder) as PostgrestResult;
  }

  /** The data of a successful result; throws the mapped exception otherwise. */
  ok(result: PostgrestResult): unknown {
    if (result.error) throw this.failure(result.error, result.status);
    return result.data;
  }

  /** Sends a request that returns rows, and returns them; throws the mapped exception on failure. */
  async rows(builder: PromiseLike<unknown>): Promise<PostgrestRow[]> {
    return this.ok(await this.send(builder)) as PostgrestRow[];
  }

  /** The count of a `count: 'exact'` result; a missing count is an error (HEAD hides 404 bodies). */
  countOf(result: PostgrestResult): number {
    this.ok(result);
    if (typeof result.count === 'number' && Number.isFinite(result.count)) return result.count;
    // supabase-js turns a bodiless 404 (a missing table) into `{ error: null, status: 204 }`.
    const status = result.status === 204 ? 404 : result.status;
    throw this.failure(
      { code: '', message: 'no count in the response (is the table missing?)' },
      status,
    );
  }

  /** The library exception for a PostgREST error on this call's table. */
  failure(error: PostgrestFailure, status: number): DatabaseException {
    return mapSupabaseError({ error, status }, this.table);
  }
}
