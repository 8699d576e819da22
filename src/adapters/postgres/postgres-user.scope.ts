import type { IBaseEntity, TableDefinition } from '../../schema/table-definition';
import type {
  AdapterCapabilities,
  DatabaseProvider,
  FindOptions,
  IDatabaseAdapter,
  TransactionHandle,
} from '../database-adapter.interface';
import { iterateRows } from '../iterate-rows';
import { sqlTag, type SqlQuery } from '../raw-sql';

/**
 * JWT claims to act with, as Supabase's PostgREST would: `sub` is the user id that `auth.uid()`
 * returns; `role` is the database role. Take them from a verified token, never from raw input.
 */
export interface PostgresClaims {
  /** The user id (`auth.uid()`). */
  sub: string;
  /** The database role to act as. Default is `authenticated`. */
  role?: string;
  [claim: string]: unknown;
}

/** What a {@link PostgresUserScope} needs from its adapter. */
export interface ClaimsRunner {
  /** Runs `work` in a transaction with the role and claims set for that transaction only. */
  runAsUser<R>(claims: PostgresClaims, work: () => Promise<R>): Promise<R>;
  /** Sets the role and claims on the transaction the calling context has joined. */
  applyClaims(claims: PostgresClaims): Promise<void>;
}

/**
 * A view of a {@link PostgresAdapter} whose every call runs as one user, so row-level security
 * policies apply: each call is a transaction (or a savepoint of the caller's) that starts with
 * `SET LOCAL ROLE` and `request.jwt.claims`. It shares the adapter's pool; `close()` leaves it open.
 */
export class PostgresUserScope implements IDatabaseAdapter {
  readonly provider: DatabaseProvider;
  readonly capabilities: AdapterCapabilities;

  constructor(
    private readonly adapter: IDatabaseAdapter,
    private readonly runner: ClaimsRunner,
    /** The claims every call of this scope runs with. */
    readonly claims: Readonly<PostgresClaims>,
  ) {
    this.provider = adapter.provider;
    this.capabilities = adapter.capabilities;
  }

  private as<R>(work: () => Promise<R>): Promise<R> {
    return this.runner.runAsUser(this.claims, work);
  }

  create: IDatabaseAdapter['create'] = (data, table) =>
    this.as(() => this.adapter.create(data, table));
  createMany: IDatabaseAdapter['createMany'] = (data, table) =>
    this.as(() => this.adapter.createMany(data, table));
  upsert: IDatabaseAdapter['upsert'] = (data, table, options) =>
    this.as(() => this.adapter.upsert(data, table, options));
  findById: IDatabaseAdapter['findById'] = (id, table, options) =>
    this.as(() => this.adapter.findById(id, table, options));
  findByIds: IDatabaseAdapter['findByIds'] = (ids, table, options) =>
    this.as(() => this.adapter.findByIds(ids, table, options));
  findMany: IDatabaseAdapter['findMany'] = <T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ) => this.as(() => this.adapter.findMany(options, table));
  findPage: IDatabaseAdapter['findPage'] = <T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ) => this.as(() => this.adapter.findPage(options, table));
  findFirst: IDatabaseAdapter['findFirst'] = <T extends IBaseEntity>(
    options: FindOptions,
    table: TableDefinition<T>,
  ) => this.as(() => this.adapter.findFirst(options, table));
  count: IDatabaseAdapter['count'] = (filters, table, options) =>
    this.as(() => this.adapter.count(filters, table, options));
  exists: IDatabaseAdapter['exists'] = (id, table, options) =>
    this.as(() => this.adapter.exists(id, table, options));
  aggregate: IDatabaseAdapter['aggregate'] = (options, table) =>
    this.as(() => this.adapter.aggregate(options, table));
  /** Batches through this scope's findPage: each runs as the user. */
  iterate: IDatabaseAdapter['iterate'] = (options, table, iterateOptions) =>
    iterateRows(this, options, table, iterateOptions);
  update: IDatabaseAdapter['update'] = (id, data, table) =>
    this.as(() => this.adapter.update(id, data, table));
  increment: IDatabaseAdapter['increment'] = (id, field, by, table, data) =>
    this.as(() => this.adapter.increment(id, field, by, table, data));
  claim: IDatabaseAdapter['claim'] = (options, table) =>
    this.as(() => this.adapter.claim(options, table));
  softDelete: IDatabaseAdapter['softDelete'] = (id, table) =>
    this.as(() => this.adapter.softDelete(id, table));
  restore: IDatabaseAdapter['restore'] = <T extends IBaseEntity>(
    id: string,
    table: TableDefinition<T>,
  ) => this.as(() => this.adapter.restore(id, table));
  hardDelete: IDatabaseAdapter['hardDelete'] = (id, table) =>
    this.as(() => this.adapter.hardDelete(id, table));
  upsertMany: IDatabaseAdapter['upsertMany'] = (data, table, options) =>
    this.as(() => this.adapter.upsertMany(data, table, options));
  updateMany: IDatabaseAdapter['updateMany'] = (filters, data, table, options) =>
    this.as(() => this.adapter.updateMany(filters, data, table, options));
  softDeleteMany: IDatabaseAdapter['softDeleteMany'] = (filters, table, options) =>
    this.as(() => this.adapter.softDeleteMany(filters, table, options));
  restoreMany: IDatabaseAdapter['restoreMany'] = (filters, table, options) =>
    this.as(() => this.adapter.restoreMany(filters, table, options));
  deleteMany: IDatabaseAdapter['deleteMany'] = (filters, table, options) =>
    this.as(() => this.adapter.deleteMany(filters, table, options));
  /** Raw SQL as this user: in the scope's transaction, with its role and claims set. */
  runSql: IDatabaseAdapter['runSql'] = <Row>(query: SqlQuery, table?: TableDefinition<any>) =>
    this.as(() => this.adapter.runSql<Row>(query, table));
  readonly sql = sqlTag(this);

  /** Runs `work` in one transaction as this user; calls inside it join it. */
  transaction<R>(work: () => Promise<R>): Promise<R> {
    return this.as(work);
  }

  /** Opens a transaction as this user; the calling context joins it. */
  async beginTransaction(): Promise<TransactionHandle> {
    const handle = await this.adapter.beginTransaction();
    try {
      await this.runner.applyClaims(this.claims);
    } catch (error) {
      await this.adapter.rollbackTransaction(handle).catch(() => undefined);
      throw error;
    }
    return handle;
  }

  commitTransaction(handle?: TransactionHandle): Promise<void> {
    return this.adapter.commitTransaction(handle);
  }

  rollbackTransaction(handle?: TransactionHandle): Promise<void> {
    return this.adapter.rollbackTransaction(handle);
  }

  ping(): Promise<void> {
    return this.adapter.ping();
  }

  /** Does nothing: the pool belongs to the adapter the scope was made from. */
  async close(): Promise<void> {}
}
