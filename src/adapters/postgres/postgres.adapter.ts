import type { PostgresPool } from './postgres-pool';
import { ValidationException } from '../../exceptions';
import { PostgresMigrationDriver } from '../../migrations/drivers/postgres-migration.driver';
import { MigrationRunner } from '../../migrations/migration-runner';
import type { AdapterCapabilities } from '../database-adapter.interface';
import { SqlAdapter } from '../sql/sql.adapter';
import {
  type PostgresAdapterOptions,
  type ResolvedPostgresOptions,
  resolvePostgresOptions,
} from './postgres-adapter.options';
import { describeServer, pingServer, waitForServer } from './postgres-connect';
import type { CheckedOutClient } from './postgres-connections';
import { PostgresDriver } from './postgres.driver';
import { mapPostgresError } from './postgres-error.mapper';
import { type ClaimsRunner, type PostgresClaims, PostgresUserScope } from './postgres-user.scope';
import { Logger } from '@nestjs/common';

const CAPABILITIES: AdapterCapabilities = Object.freeze({
  transactions: true,
  savepoints: true,
  migrations: true,
  concurrentTransactions: true,
  aggregates: true,
  atomicUpsertMany: true,
  rawSql: true,
});

/**
 * The PostgreSQL provider: a direct connection (through node-postgres' pool) to Supabase's
 * database or any PostgreSQL server, with real transactions, savepoints, migrations and typed
 * errors — the shared SQL adapter with PostgreSQL's driver. Open it with
 * {@link PostgresAdapter.open}.
 *
 * @example
 * const adapter = await PostgresAdapter.open({
 *   connectionString: process.env.DATABASE_URL!,
 *   migrate: true,
 * });
 * await adapter.transaction(async () => {
 *   const user = await users.create({ ... }); // joins the transaction
 *   await payments.create({ userId: user.id, ... });
 * });
 */
export class PostgresAdapter extends SqlAdapter<CheckedOutClient> {
  readonly capabilities = CAPABILITIES;
  /**
   * The node-postgres pool (with the library's warm-client stack in front, see PostgresPool);
   * exposed for migrations and tests, not for queries.
   */
  readonly pool: PostgresPool;
  private readonly logger = new Logger('PostgresAdapter');

  private constructor(
    /** The options with every default filled in. */
    readonly settings: ResolvedPostgresOptions,
    options: PostgresAdapterOptions,
  ) {
    const driver = new PostgresDriver(settings);
    super(driver, options);
    this.pool = driver.pool;
  }

  /**
   * Creates the pool, checks the server answers when `connectWaitMs` is set or `migrate` is on
   * (retrying while it is unreachable, for up to `connectWaitMs`), and with `migrate: true`
   * applies pending migrations under the migration lock. Without either, connections open
   * lazily; call {@link ping} to check the server is reachable.
   *
   * @throws TypeError on malformed options; a ConnectionException when the server stays
   * unreachable; a MigrationException when migrating fails.
   */
  static async open(options: PostgresAdapterOptions): Promise<PostgresAdapter> {
    const settings = resolvePostgresOptions(options);
    const adapter = new PostgresAdapter(settings, options);
    try {
      if (settings.connectWaitMs !== undefined || options.migrate) {
        // A refused or unreachable server says so here, not as a failed migration.
        await waitForServer((limitMs) => pingServer(settings, limitMs), {
          waitMs: settings.connectWaitMs ?? 0,
          attemptLimitMs: settings.connectionTimeoutMillis,
          server: describeServer(settings.connectionString),
        });
      }
      if (options.migrate) {
        const driver = new PostgresMigrationDriver(adapter.pool, {
          lockTimeoutMs: settings.migrationLockTimeoutMs,
          log: (line) => adapter.logger.warn(line),
        });
        await new MigrationRunner(driver, {
          directory: options.migrationsDirectory,
          appDirectories: options.appMigrationsDirectories,
          log: options.migrationLog,
        }).up();
      }
    } catch (error) {
      await adapter.close();
      throw mapPostgresError(error);
    }
    return adapter;
  }

  /**
   * A view of this adapter whose every call runs as the user of these JWT claims, so row-level
   * security policies apply as they do behind Supabase's PostgREST: each call is a transaction
   * (a savepoint inside one) beginning with `SET LOCAL ROLE` (`claims.role`, default
   * `authenticated`) and `set_config('request.jwt.claims', claims, true)`, which `auth.uid()`
   * reads. Pass claims from a verified token only.
   *
   * @throws ValidationException when `claims.sub` is not a non-empty string.
   */
  withClaims(claims: PostgresClaims): PostgresUserScope {
    checkClaims(claims);
    return new PostgresUserScope(this, this.claimsRunner, Object.freeze({ ...claims }));
  }

  private readonly claimsRunner: ClaimsRunner = {
    runAsUser: async <R>(claims: PostgresClaims, work: () => Promise<R>): Promise<R> => {
      if (!this.transactions.inTransaction()) {
        return this.transactions.run(async () => {
          await this.claimsRunner.applyClaims(claims);
          return work();
        });
      }
      // Inside a caller's transaction: SET LOCAL outlives a released savepoint, so the caller's
      // role and claims are put back afterwards (a rolled-back savepoint restores them itself).
      const saved = await this.sessionQuery(
        "SELECT current_setting('role'), coalesce(current_setting('request.jwt.claims', true), '')",
        [],
      );
      return this.transactions.run(async () => {
        await this.claimsRunner.applyClaims(claims);
        const result = await work();
        await this.sessionQuery(
          "SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
          saved.rows[0],
        );
        return result;
      });
    },
    applyClaims: async (claims: PostgresClaims): Promise<void> => {
      // set_config is SET LOCAL with bound values: the role name is never spliced into SQL.
      await this.sessionQuery(
        "SELECT set_config('role', $1, true), set_config('request.jwt.claims', $2, true)",
        [claims.role ?? 'authenticated', JSON.stringify(claims)],
      );
    },
  };

  /** Runs a statement about the session (role, claims) in the calling flow's transaction. */
  private async sessionQuery(text: string, values: readonly unknown[]) {
    return this.engine.run('withClaims', undefined, { text, values });
  }

  /** The database's size, for the health service's storage check. */
  async storageStats(): Promise<{ databaseBytes: number }> {
    const text = 'SELECT pg_database_size(current_database())::float8';
    const { rows } = await this.engine.run('storageStats', undefined, { text, values: [] });
    return { databaseBytes: Number(rows[0][0]) };
  }

  /** Pool usage, for metrics. */
  poolStats(): { total: number; idle: number; waiting: number; max: number } {
    const pool = this.pool;
    return {
      total: pool.totalCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
      max: this.settings.max,
    };
  }

  /**
   * Live rows per table of the current schema, from the statistics collector: approximate, but it
   * never scans a table.
   */
  async tableRowCounts(): Promise<Record<string, number>> {
    const text =
      'SELECT relname, n_live_tup::float8 FROM pg_stat_user_tables WHERE schemaname = current_schema() ORDER BY relname';
    const { rows } = await this.engine.run('tableRowCounts', undefined, { text, values: [] });
    return Object.fromEntries(rows.map(([name, count]) => [String(name), Number(count)]));
  }
}

function checkClaims(claims: PostgresClaims): void {
  if (
    typeof claims !== 'object' ||
    claims === null ||
    typeof claims.sub !== 'string' ||
    claims.sub === ''
  ) {
    throw new ValidationException('withClaims: claims.sub must be a non-empty string', 'sub');
  }
  if (claims.role !== undefined && (typeof claims.role !== 'string' || claims.role === '')) {
    throw new ValidationException('withClaims: claims.role must be a non-empty string', 'role');
  }
}
