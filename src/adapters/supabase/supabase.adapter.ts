import type { SupabaseClient } from '@supabase/supabase-js';
import {
  ConnectionException,
  DatabaseException,
  QueryException,
  RecordNotFoundException,
  TransactionException,
  TransactionNotSupportedException,
  UniqueConstraintException,
  ValidationException,
} from '../../exceptions';
import {
  checkId,
  checkUpsertOptions,
  incrementBounds,
  incrementColumn,
  incrementOutOfRange,
  requireSoftDelete,
  upsertUpdateColumns,
  withRowIndex,
} from '../../query/operation-input';
import { cursorPage, offsetPage } from '../../query/page';
import {
  DEFAULT_PAGE_SIZE,
  DEFAULT_QUERY_LIMITS,
  planCount,
  planFind,
  type QueryLimits,
} from '../../query/plan-query';
import type { Condition, QueryPlan } from '../../query/query-plan';
import { normalizeCreate, normalizeUpdate, nowTimestamp } from '../../query/normalize-write';
import type {
  CreateInput,
  IBaseEntity,
  TableDefinition,
  UpdateInput,
} from '../../schema/table-definition';
import type {
  AdapterCapabilities,
  FindByIdOptions,
  FindOptions,
  ICursorPaginatedResult,
  IDatabaseAdapter,
  IFilterOptions,
  IPaginatedResult,
  TransactionHandle,
  UpsertOptions,
  UpsertResult,
} from '../database-adapter.interface';
import { REDACTED } from '../query-observer';
import { instrumentAdapter } from '../../observation/observed.adapter';
import { statementTrace } from '../../observation/statement-trace';
import {
  DEFAULT_SUPABASE_TIMEOUT_MS,
  type SupabaseAdapterOptions,
} from './supabase-adapter.options';
import { createSupabaseClient } from './supabase-client.factory';
import {
  mapSupabaseError,
  PG_UNIQUE_VIOLATION,
  PGRST_NOT_SINGULAR,
  PGRST_RANGE_NOT_SATISFIABLE,
  type PostgrestFailure,
} from './supabase-error.mapper';
import { SupabaseRowMapper, type PostgrestRow } from './supabase-row.mapper';
import { applyConditions, applyPlan, matchesNothing } from './supabase-query.translator';
import { PROBE_TABLE } from './supabase.probe';

/** What Supabase over PostgREST can do: no transactions (one HTTP request is one transaction). */
export const SUPABASE_CAPABILITIES: AdapterCapabilities = Object.freeze({
  transactions: false,
  savepoints: false,
  migrations: false,
  concurrentTransactions: false,
});

/** The message of every transaction call: what to do instead. */
export const SUPABASE_NO_TRANSACTIONS =
  'Supabase over PostgREST cannot run multi-statement transactions (each HTTP request is its own ' +
  "transaction). Use the postgres provider with the project's DATABASE_URL (Settings → Database), " +
  'or put the statements in a Postgres function and call it with adapter.rpc(fn, args).';

// ~100 quoted UUIDs keep a findByIds URL near 5 kB, under common proxy limits (8 kB).
const IDS_PER_REQUEST = 100;
/** How often increment retries its compare-and-swap before giving up. */
const INCREMENT_ATTEMPTS = 5;
const RPC_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A supabase-js result, as far as the adapter reads it. */
interface PostgrestResult {
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

const mappers = new WeakMap<TableDefinition<any>, SupabaseRowMapper<any>>();

/** The row mapper of a table, built on first use and kept with the (immutable) table. */
function rowMapper<T extends IBaseEntity>(table: TableDefinition<T>): SupabaseRowMapper<T> {
  let mapper = mappers.get(table);
  if (!mapper) mappers.set(table, (mapper = new SupabaseRowMapper(table)));
  return mapper as SupabaseRowMapper<T>;
}

function planParams(conditions: readonly Condition[]): unknown[] {
  const params: unknown[] = [];
  for (const c of conditions) {
    if (c.kind === 'compare') params.push(c.column.sensitive ? REDACTED : c.value);
    else if (c.kind === 'in') params.push(...(c.column.sensitive ? [REDACTED] : c.values));
    else if (c.kind === 'like') params.push(c.column.sensitive ? REDACTED : c.pattern);
    else if (c.kind === 'search') params.push(c.text);
    else if (c.kind === 'after')
      params.push(...c.keys.map((k) => (k.column.sensitive ? REDACTED : k.value)));
  }
  return params;
}

/**
 * The Supabase provider: every {@link IDatabaseAdapter} operation as PostgREST requests through
 * supabase-js, with the same semantics as the SQL providers except transactions, which PostgREST
 * does not have (see docs/providers.md).
 *
 * A server adapter uses the service key when given (row-level security bypassed), else the anon
 * key. {@link SupabaseAdapter.forUser} returns an adapter whose requests carry a user's JWT, so
 * row-level security applies to that user.
 *
 * @example
 * const adapter = new SupabaseAdapter({ url: process.env.SUPABASE_URL!, serviceKey, anonKey });
 * const user = await adapter.findById(id, usersTable);
 */
export class SupabaseAdapter implements IDatabaseAdapter {
  readonly provider = 'supabase' as const;
  readonly capabilities = SUPABASE_CAPABILITIES;
  private readonly client: SupabaseClient;
  private readonly limits: QueryLimits;
  private closed = false;

  /**
   * @param options - Where and how to connect.
   * @param user - Act as this user: prefer {@link SupabaseAdapter.forUser}. Default is none.
   */
  constructor(
    private readonly options: SupabaseAdapterOptions,
    user?: { jwt: string },
  ) {
    if (typeof options?.url !== 'string' || options.url === '') {
      throw new ValidationException('SupabaseAdapterOptions.url is required', 'url');
    }
    let key = options.serviceKey || options.anonKey;
    if (user) {
      if (typeof user.jwt !== 'string' || !/^[\w.~+/=-]+$/.test(user.jwt)) {
        throw new ValidationException('forUser needs a JWT (a non-empty token string)', 'jwt');
      }
      // Never the service key: with a user token on the same client it no longer bypasses RLS,
      // and mixing the two is how a request ends up with the wrong role (supabase/auth#965).
      key = options.anonKey;
      if (!key)
        throw new ValidationException('forUser needs SupabaseAdapterOptions.anonKey', 'anonKey');
    }
    if (!key)
      throw new ValidationException(
        'SupabaseAdapterOptions needs serviceKey or anonKey',
        'serviceKey',
      );
    this.limits = { ...DEFAULT_QUERY_LIMITS, ...options.limits };
    try {
      this.client = createSupabaseClient({
        url: options.url,
        key,
        userJwt: user?.jwt,
        fetch: options.fetch,
        timeoutMs: options.timeoutMs ?? DEFAULT_SUPABASE_TIMEOUT_MS,
      });
    } catch (error) {
      // createClient throws on a malformed URL.
      throw new ValidationException(
        `Invalid Supabase options: ${(error as Error).message}`,
        'url',
        { cause: error },
      );
    }
    if (options.observer) instrumentAdapter(this, options.observer);
  }

  /**
   * An adapter acting as the user whose JWT is given: a separate client with the anon key and
   * `Authorization: Bearer <jwt>`, so row-level security policies see that user (`auth.uid()`).
   * Needs `anonKey`. Cheap enough to make per request; keep it for that request only.
   */
  forUser(jwt: string): SupabaseAdapter {
    return new SupabaseAdapter(this.options, { jwt });
  }

  /**
   * Calls a Postgres function through PostgREST (`POST /rest/v1/rpc/<fn>`): the way to run several
   * statements atomically on Supabase. Errors are mapped like every other request.
   */
  rpc<R = unknown>(fn: string, args: Record<string, unknown> = {}): Promise<R> {
    return this.run('rpc', '', async (trace) => {
      if (typeof fn !== 'string' || !RPC_NAME.test(fn)) {
        throw new ValidationException('rpc: the function name must be an identifier', 'fn');
      }
      const result = await this.send(this.client.rpc(fn, args), undefined, trace);
      return this.ok(result, undefined) as R;
    });
  }

  create<T extends IBaseEntity>(data: CreateInput<T>, table: TableDefinition<T>): Promise<T> {
    return this.run('create', table.name, async (trace) => {
      const mapper = rowMapper(table);
      const values = normalizeCreate(table, data, nowTimestamp());
      trace?.params.push(...mapper.redactedParams(values));
      const query = this.client.from(table.name).insert(mapper.toBody(values)).select().single();
      return mapper.toEntity(this.ok(await this.send(query, table, trace), table) as PostgrestRow);
    });
  }

  createMany<T extends IBaseEntity>(
    data: readonly CreateInput<T>[],
    table: TableDefinition<T>,
  ): Promise<T[]> {
    return this.run('createMany', table.name, async (trace) => {
      if (!Array.isArray(data)) throw new ValidationException('createMany takes an array', 'data');
      if (data.length === 0) return [];
      const mapper = rowMapper(table);
      const now = nowTimestamp();
      const rows = data.map((item, index) =>
        withRowIndex(index, () => normalizeCreate(table, item, now)),
      );
      for (const values of rows) trace?.params.push(...mapper.redactedParams(values));
      // One POST with an array is one statement in one transaction: all rows or none.
      const query = this.client
        .from(table.name)
        .insert(rows.map((v) => mapper.toBody(v)))
        .select();
      const created = (this.ok(await this.send(query, table, trace), table) as PostgrestRow[]).map(
        (r) => mapper.toEntity(r),
      );
      // Return them in input order whatever order the server used.
      const byId = new Map(created.map((e) => [e.id, e]));
      return rows.map((v) => byId.get(v.get(table.primaryKey) as string) ?? this.missingRow(table));
    });
  }

  upsert<T extends IBaseEntity>(
    data: CreateInput<T>,
    table: TableDefinition<T>,
    options: UpsertOptions<T>,
  ): Promise<UpsertResult<T>> {
    return this.run('upsert', table.name, async (trace) => {
      const conflict = checkUpsertOptions(table, options);
      const mapper = rowMapper(table);
      const values = normalizeCreate(table, data, nowTimestamp());
      trace?.params.push(...mapper.redactedParams(values));
      // PostgREST's on_conflict cannot name a partial unique index (ours are WHERE deleted_at IS
      // NULL), so: insert; on a unique violation read the live row and keep or patch it. Not
      // atomic: the row may change or vanish in between, hence one more round on a lost race.
      let lastConflict: DatabaseException | undefined;
      for (let round = 0; round < 2; round++) {
        const inserted = await this.send(
          this.client.from(table.name).insert(mapper.toBody(values)).select().single(),
          table,
          trace,
        );
        const { error, status } = inserted;
        if (!error)
          return { record: mapper.toEntity(inserted.data as PostgrestRow), created: true };
        const mapped = mapSupabaseError({ error, status }, table);
        const key = values.get(conflict);
        // Only a clash on the conflict field itself is the "row exists" case.
        const otherField =
          mapped instanceof UniqueConstraintException &&
          mapped.field !== undefined &&
          mapped.field !== conflict.property;
        if (error.code !== PG_UNIQUE_VIOLATION || key === null || key === undefined || otherField) {
          throw mapped;
        }
        lastConflict = mapped;
        const live = await this.findLiveBy(table, conflict.column, key, trace);
        if (!live) continue;
        if (options.onConflict === 'ignore')
          return { record: mapper.toEntity(live), created: false };
        const patch = new Map(
          upsertUpdateColumns(table, data, conflict).map((c) => [c, values.get(c)]),
        );
        let query = this.client
          .from(table.name)
          .update(mapper.toBody(patch))
          .eq(table.primaryKey.column, live[table.primaryKey.column]);
        query = this.live(query, table);
        const updated = this.ok(
          await this.send(query.select(), table, trace),
          table,
        ) as PostgrestRow[];
        if (updated.length > 0) return { record: mapper.toEntity(updated[0]), created: false };
      }
      throw lastConflict ?? new QueryException(`${table.name}: upsert lost a race twice`);
    });
  }

  findById<T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<T | null> {
    return this.run('findById', table.name, async (trace) => {
      const key = checkId(table, id);
      trace?.params.push(key);
      let query = this.client.from(table.name).select('*').eq(table.primaryKey.column, key);
      if (!options?.includeDeleted) query = this.live(query, table);
      const result = await this.send(query.maybeSingle(), table, trace);
      // 0 rows on a single-object read is a miss, not an error.
      if (result.error?.code === PGRST_NOT_SINGULAR) return null;
      const row = this.ok(result, table) as PostgrestRow | null;
      return row ? rowMapper(table).toEntity(row) : null;
    });
  }

  findByIds<T extends IBaseEntity>(
    ids: readonly string[],
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<T[]> {
    return this.run('findByIds', table.name, async (trace) => {
      if (!Array.isArray(ids)) throw new ValidationException('findByIds takes an array', 'ids');
      const plan = planCount(table, { id: ids }, options?.includeDeleted, this.limits);
      if (matchesNothing(plan)) return [];
      const conditions = plan.conditions;
      const inIndex = conditions.findIndex((c) => c.kind === 'in');
      const all = (conditions[inIndex] as Extract<Condition, { kind: 'in' }>).values;
      const chunks: Condition[][] = [];
      for (let i = 0; i < all.length; i += IDS_PER_REQUEST) {
        const chunk = [...conditions];
        chunk[inIndex] = {
          kind: 'in',
          column: table.primaryKey,
          values: all.slice(i, i + IDS_PER_REQUEST),
        };
        chunks.push(chunk);
      }
      const mapper = rowMapper(table);
      const pages = await Promise.all(
        chunks.map(async (chunk) => {
          trace?.params.push(...planParams(chunk));
          const query = applyConditions(this.client.from(table.name).select('*'), chunk);
          return this.ok(await this.send(query, table, trace), table) as PostgrestRow[];
        }),
      );
      return pages.flat().map((r) => mapper.toEntity(r));
    });
  }

  findMany<T extends IBaseEntity>(options: FindOptions, table: TableDefinition<T>): Promise<T[]> {
    return this.run('findMany', table.name, (trace) =>
      this.read(planFind(table, options, this.limits), table, trace),
    );
  }

  findPage<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<IPaginatedResult<T> | ICursorPaginatedResult<T>> {
    return this.run('findPage', table.name, async (trace) => {
      const plan = planFind(table, options, this.limits, {
        lookAhead: true,
        defaultPageSize: DEFAULT_PAGE_SIZE,
      });
      if (plan.cursor) return cursorPage(plan, await this.read(plan, table, trace));
      if (matchesNothing(plan)) return offsetPage(plan, [], 0);
      trace?.params.push(...planParams(plan.conditions));
      // One request: the rows and, in Content-Range, the total.
      const query = applyPlan(this.client.from(table.name).select('*', { count: 'exact' }), plan);
      const result = await this.send(query, table, trace);
      if (result.error?.code === PGRST_RANGE_NOT_SATISFIABLE) {
        // A page past the end (416): empty, with the total from a count.
        return offsetPage(plan, [], await this.countPlan(plan, table, trace));
      }
      const rows = this.ok(result, table) as PostgrestRow[];
      const mapper = rowMapper(table);
      return offsetPage(
        plan,
        rows.map((r) => mapper.toEntity(r)),
        this.countOf(result, table),
      );
    });
  }

  findFirst<T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ): Promise<T | null> {
    return this.run('findFirst', table.name, async (trace) => {
      const rows = await this.read(
        planFind(table, options, this.limits, { limit: 1 }),
        table,
        trace,
      );
      return rows[0] ?? null;
    });
  }

  count<T extends IBaseEntity>(
    filters: IFilterOptions | undefined,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<number> {
    return this.run('count', table.name, (trace) =>
      this.countPlan(planCount(table, filters, options?.includeDeleted, this.limits), table, trace),
    );
  }

  exists<T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
    options?: FindByIdOptions,
  ): Promise<boolean> {
    return this.run('exists', table.name, async (trace) => {
      const key = checkId(table, id);
      trace?.params.push(key);
      let query = this.client
        .from(table.name)
        .select(table.primaryKey.column)
        .eq(table.primaryKey.column, key);
      if (!options?.includeDeleted) query = this.live(query, table);
      const rows = this.ok(await this.send(query.limit(1), table, trace), table) as PostgrestRow[];
      return rows.length > 0;
    });
  }

  update<T extends IBaseEntity>(
    id: string,
    data: UpdateInput<T>,
    table: TableDefinition<T>,
  ): Promise<T> {
    return this.run('update', table.name, async (trace) => {
      const key = checkId(table, id);
      const mapper = rowMapper(table);
      const values = normalizeUpdate(table, data, nowTimestamp());
      trace?.params.push(...mapper.redactedParams(values), key);
      const query = this.live(
        this.client.from(table.name).update(mapper.toBody(values)).eq(table.primaryKey.column, key),
        table,
      );
      return mapper.toEntity(await this.oneChanged(query.select(), table, key, trace));
    });
  }

  /**
   * PostgREST cannot write `col = col + 1`, so this compares and swaps: read the live row, then
   * PATCH it only while the counter still holds the value read; a miss means another writer won,
   * and the step is tried again.
   */
  increment<T extends IBaseEntity>(
    id: string,
    field: keyof T & string,
    by: number,
    table: TableDefinition<T>,
    data: UpdateInput<T> = {},
  ): Promise<T> {
    return this.run('increment', table.name, async (trace) => {
      const key = checkId(table, id);
      const counter = incrementColumn(table, field, by);
      const mapper = rowMapper(table);
      const values = normalizeUpdate(table, data, nowTimestamp());
      values.delete(counter);
      trace?.params.push(by, ...mapper.redactedParams(values), key);
      for (let attempt = 0; attempt < INCREMENT_ATTEMPTS; attempt++) {
        const current = await this.findLiveBy(table, table.primaryKey.column, key, trace);
        if (!current) throw new RecordNotFoundException(table.name, key);
        const stored = current[counter.column] as number;
        const [low, high] = incrementBounds(counter, by);
        if (stored < low || stored > high) throw incrementOutOfRange(table, counter);
        const next = new Map(values).set(counter, stored + by);
        const query = this.live(
          this.client
            .from(table.name)
            .update(mapper.toBody(next))
            .eq(table.primaryKey.column, key)
            .eq(counter.column, stored),
          table,
        );
        const rows = this.ok(
          await this.send(query.select(), table, trace),
          table,
        ) as PostgrestRow[];
        if (rows.length > 0) return mapper.toEntity(rows[0]);
      }
      throw new TransactionException(
        `${table.name}: increment lost to concurrent writers ${INCREMENT_ATTEMPTS} times`,
        { retryable: true },
      );
    });
  }

  softDelete<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<void> {
    return this.run('softDelete', table.name, async (trace) => {
      const deletedAt = this.deletedAt(table);
      const key = checkId(table, id);
      const now = nowTimestamp();
      trace?.params.push(now, now, key);
      const body = { [deletedAt]: now, [table.column('updatedAt')!.column]: now };
      const query = this.client
        .from(table.name)
        .update(body)
        .eq(table.primaryKey.column, key)
        .is(deletedAt, null);
      await this.oneChanged(query.select(table.primaryKey.column), table, key, trace);
    });
  }

  restore<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<T> {
    return this.run('restore', table.name, async (trace) => {
      const deletedAt = this.deletedAt(table);
      const key = checkId(table, id);
      const now = nowTimestamp();
      trace?.params.push(now, key);
      const body = { [deletedAt]: null, [table.column('updatedAt')!.column]: now };
      const query = this.client
        .from(table.name)
        .update(body)
        .eq(table.primaryKey.column, key)
        .not(deletedAt, 'is', null);
      return rowMapper(table).toEntity(await this.oneChanged(query.select(), table, key, trace));
    });
  }

  hardDelete<T extends IBaseEntity>(id: string, table: TableDefinition<T>): Promise<void> {
    return this.run('hardDelete', table.name, async (trace) => {
      const key = checkId(table, id);
      trace?.params.push(key);
      const query = this.client.from(table.name).delete().eq(table.primaryKey.column, key);
      await this.oneChanged(query.select(table.primaryKey.column), table, key, trace);
    });
  }

  /** Always rejects with TransactionNotSupportedException: PostgREST has no multi-request transactions. */
  transaction<R>(_work: () => Promise<R>): Promise<R> {
    return this.noTransactions('transaction');
  }

  /** Always rejects with TransactionNotSupportedException. */
  beginTransaction(): Promise<TransactionHandle> {
    return this.noTransactions('beginTransaction');
  }

  /** Always rejects with TransactionNotSupportedException. */
  commitTransaction(_handle?: TransactionHandle): Promise<void> {
    return this.noTransactions('commitTransaction');
  }

  /** Always rejects with TransactionNotSupportedException. */
  rollbackTransaction(_handle?: TransactionHandle): Promise<void> {
    return this.noTransactions('rollbackTransaction');
  }

  /** One cheap GET (`users?select=id&limit=0`); throws the mapped exception when it fails. */
  ping(): Promise<void> {
    return this.run('ping', '', async (trace) => {
      this.ok(
        await this.send(this.client.from(PROBE_TABLE).select('id').limit(0), undefined, trace),
        undefined,
      );
    });
  }

  /** Marks the adapter closed (later calls fail) and drops realtime channels; safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.removeAllChannels();
  }

  private noTransactions<R>(operation: string): Promise<R> {
    return this.run(operation, '', async () => {
      throw new TransactionNotSupportedException(SUPABASE_NO_TRANSACTIONS);
    });
  }

  /** Runs one operation: refuses after close, maps stray errors, reports the event. */
  /**
   * Runs one operation: maps any error to a library exception and, when an observer wants
   * statements, notes the requests sent (method and path, sensitive filters redacted).
   */
  private async run<R>(
    operation: string,
    tableName: string,
    work: (trace: Trace | undefined) => Promise<R>,
  ): Promise<R> {
    const observed = statementTrace();
    const trace: Trace | undefined = observed ? { statements: [], params: [] } : undefined;
    try {
      if (this.closed)
        throw new ConnectionException('The Supabase adapter is closed', { retryable: false });
      return await work(trace);
    } catch (error) {
      throw error instanceof DatabaseException
        ? error
        : new QueryException(`${tableName || operation}: unexpected error from supabase-js`, {
            cause: error,
          });
    } finally {
      if (observed && trace) observed.add(trace.statements.join('; '), trace.params);
    }
  }

  /** Sends a built request, noting `METHOD /path?query` (sensitive filters redacted) when traced. */
  private async send(
    builder: PromiseLike<unknown>,
    table: TableDefinition<any> | undefined,
    trace?: Trace,
  ): Promise<PostgrestResult> {
    if (trace) {
      const request = builder as unknown as BuilderRequest;
      if (request.url) {
        const url = new URL(request.url.toString());
        for (const column of table?.columns ?? []) {
          if (column.sensitive && url.searchParams.has(column.column))
            url.searchParams.set(column.column, REDACTED);
        }
        trace.statements.push(`${request.method ?? 'GET'} ${url.pathname}${url.search}`);
      }
    }
    return (await builder) as PostgrestResult;
  }

  /** The data of a successful result; throws the mapped exception otherwise. */
  private ok(result: PostgrestResult, table: TableDefinition<any> | undefined): unknown {
    if (result.error) throw mapSupabaseError({ error: result.error, status: result.status }, table);
    return result.data;
  }

  /** The count of a `count: 'exact'` result; a missing count is an error (HEAD hides 404 bodies). */
  private countOf(result: PostgrestResult, table: TableDefinition<any>): number {
    this.ok(result, table);
    if (typeof result.count === 'number' && Number.isFinite(result.count)) return result.count;
    // supabase-js turns a bodiless 404 (a missing table) into `{ error: null, status: 204 }`.
    const status = result.status === 204 ? 404 : result.status;
    throw mapSupabaseError(
      { error: { code: '', message: 'no count in the response (is the table missing?)' }, status },
      table,
    );
  }

  private async countPlan(
    plan: QueryPlan,
    table: TableDefinition<any>,
    trace: Trace | undefined,
  ): Promise<number> {
    if (matchesNothing(plan)) return 0;
    trace?.params.push(...planParams(plan.conditions));
    const query = applyConditions(
      this.client.from(table.name).select('*', { count: 'exact', head: true }),
      plan.conditions,
    );
    return this.countOf(await this.send(query, table, trace), table);
  }

  private async read<T extends IBaseEntity>(
    plan: QueryPlan,
    table: TableDefinition<T>,
    trace: Trace | undefined,
  ): Promise<T[]> {
    if (matchesNothing(plan)) return [];
    trace?.params.push(...planParams(plan.conditions));
    const query = applyPlan(this.client.from(table.name).select('*'), plan);
    const rows = this.ok(await this.send(query, table, trace), table) as PostgrestRow[];
    const mapper = rowMapper(table);
    return rows.map((r) => mapper.toEntity(r));
  }

  /**
   * The one row a mutation with `.select()` changed. PostgREST answers a mutation that matched
   * nothing (a missing id, or a row hidden by RLS) with success and `[]`: that is a not-found.
   */
  private async oneChanged(
    query: PromiseLike<unknown>,
    table: TableDefinition<any>,
    id: unknown,
    trace: Trace | undefined,
  ): Promise<PostgrestRow> {
    const rows = this.ok(await this.send(query, table, trace), table) as PostgrestRow[];
    if (!Array.isArray(rows) || rows.length === 0)
      throw new RecordNotFoundException(table.name, String(id));
    return rows[0];
  }

  private async findLiveBy(
    table: TableDefinition<any>,
    column: string,
    value: unknown,
    trace: Trace | undefined,
  ): Promise<PostgrestRow | null> {
    const query = this.live(this.client.from(table.name).select('*').eq(column, value), table);
    return this.ok(
      await this.send(query.maybeSingle(), table, trace),
      table,
    ) as PostgrestRow | null;
  }

  /** Adds `deleted_at=is.null` on soft-delete tables. */
  private live<Q extends { is(column: string, value: null): Q }>(
    query: Q,
    table: TableDefinition<any>,
  ): Q {
    return table.softDelete ? query.is(this.deletedAtColumn(table), null) : query;
  }

  private deletedAtColumn(table: TableDefinition<any>): string {
    return table.column('deletedAt')!.column;
  }

  private deletedAt(table: TableDefinition<any>): string {
    requireSoftDelete(table);
    return this.deletedAtColumn(table);
  }

  private missingRow(table: TableDefinition<any>): never {
    throw new QueryException(`${table.name}: the server did not return every created row`);
  }
}
