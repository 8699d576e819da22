import { ResilientAdapter, withResilience } from '../../src/resilience';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type {
  IDatabaseAdapter,
  IFilterOptions,
} from '../../src/adapters/database-adapter.interface';
import { PGliteAdapter } from '../../src/adapters/pglite';
import { PostgresAdapter } from '../../src/adapters/postgres';
import { SQLiteAdapter } from '../../src/adapters/sqlite';
import type { IPaymentEntity } from '../../src/entities/payment.entity';
import { PaymentStatus } from '../../src/entities/payment.entity';
import type { ISubscriptionEntity } from '../../src/entities/subscription.entity';
import { SubscriptionStatus } from '../../src/entities/subscription.entity';
import type { IUserEntity } from '../../src/entities/user.entity';
import { UserRole, UserStatus } from '../../src/entities/user.entity';
import type { IWebhookEventEntity } from '../../src/entities/webhook-event.entity';
import { TransactionNotSupportedException, ValidationException } from '../../src/exceptions';
import type { CreateInput } from '../../src/schema/table-definition';
import { usersTable } from '../../src/schema/users.table';
import { describeWithPgBouncer, throughPgBouncer } from '../support/pgbouncer';
import { openPgliteFromTemplate } from '../support/pglite-template';
import { createTestDatabase, describeWithPostgres, type TestDatabase } from '../support/postgres';

/** An open adapter and how to dispose of everything made for it. */
interface OpenedAdapter {
  adapter: IDatabaseAdapter;
  dispose(): Promise<void>;
}

/** Settings a test file may ask of its adapter; every SQL provider understands them. */
export interface ConformanceOptions {
  /** How long a transaction may stay open. Default is the adapter's own (30 s). */
  transactionTimeoutMs?: number;
}

/** One provider the suite runs on: a name for test titles and a factory for a fresh database. */
export interface ConformanceProvider {
  name: string;
  /** `describe`, or a describe that skips with a printed reason when the provider cannot run here. */
  describe: (name: string, fn: () => void) => void;
  open(options?: ConformanceOptions): Promise<OpenedAdapter>;
}

async function openSqliteFile(options: ConformanceOptions = {}): Promise<OpenedAdapter> {
  const dir = await mkdtemp(join(tmpdir(), 'ndl-conformance-'));
  const adapter = await SQLiteAdapter.open({
    path: join(dir, 'conformance.sqlite'),
    migrate: true,
    ...options,
  });
  return {
    adapter,
    async dispose() {
      await adapter.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function openSqliteMemory(options: ConformanceOptions = {}): Promise<OpenedAdapter> {
  const adapter = await SQLiteAdapter.open({ path: ':memory:', migrate: true, ...options });
  return { adapter, dispose: () => adapter.close() };
}

async function openPostgres(options: ConformanceOptions = {}): Promise<OpenedAdapter> {
  return openPostgresAt((database) => database.url, options);
}

/** The database is created directly; the adapter (migrations included) goes through PgBouncer. */
async function openPostgresThroughPgBouncer(
  options: ConformanceOptions = {},
): Promise<OpenedAdapter> {
  return openPostgresAt((database) => throughPgBouncer(database.url), options);
}

async function openPostgresAt(
  url: (database: TestDatabase) => string,
  options: ConformanceOptions,
): Promise<OpenedAdapter> {
  const database = await createTestDatabase('conformance');
  try {
    const adapter = await PostgresAdapter.open({
      connectionString: url(database),
      migrate: true,
      ...options,
    });
    return {
      adapter,
      async dispose() {
        await adapter.close();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

async function openPglite(options: ConformanceOptions = {}): Promise<OpenedAdapter> {
  // From a migrated template: the migrations still run, and find nothing to apply.
  const adapter = await openPgliteFromTemplate(options);
  return { adapter, dispose: () => adapter.close() };
}

/** The module's default: the adapter wrapped for retries and a circuit breaker. */
async function openResilientSqlite(options: ConformanceOptions = {}): Promise<OpenedAdapter> {
  const opened = await openSqliteFile(options);
  return { adapter: withResilience(opened.adapter), dispose: opened.dispose };
}

/**
 * The one list of providers. Every conformance file loops over it with `describe.each`, so a new
 * provider is added here and nowhere else.
 */
export const CONFORMANCE_PROVIDERS: readonly ConformanceProvider[] = [
  { name: 'sqlite-file', describe, open: openSqliteFile },
  { name: 'sqlite-memory', describe, open: openSqliteMemory },
  { name: 'postgres', describe: describeWithPostgres, open: openPostgres },
  {
    name: 'postgres+pgbouncer',
    describe: describeWithPgBouncer,
    open: openPostgresThroughPgBouncer,
  },
  { name: 'pglite', describe, open: openPglite },
  { name: 'sqlite-file+resilience', describe, open: openResilientSqlite },
];

/**
 * The provider's own connection, for tests that write rows the way another program would (plain
 * SQL, database defaults), bypassing the library.
 */
export interface RawSql {
  readonly dialect: 'sqlite' | 'postgres';
  /** Runs one statement; `?` placeholders on both dialects. */
  run(sql: string, params?: readonly unknown[]): Promise<void>;
}

/** The raw connection under an adapter (unwrapping the resilience layer), if it has one. */
export function rawSql(adapter: IDatabaseAdapter): RawSql | undefined {
  const inner = adapter instanceof ResilientAdapter ? adapter.inner : adapter;
  if (inner instanceof SQLiteAdapter) {
    return {
      dialect: 'sqlite',
      run: async (sql, params = []) => {
        try {
          inner.connection.prepare(sql).run(...params);
        } catch (error) {
          // better-sqlite3's SqliteError belongs to the realm of the first test file that loaded
          // it; rethrown here, jest's toThrow recognises it in every file.
          throw new Error((error as Error).message, { cause: error });
        }
      },
    };
  }
  if (inner instanceof PGliteAdapter) {
    return {
      dialect: 'postgres',
      run: async (sql, params = []) => {
        let index = 0;
        await inner.db.query(
          sql.replace(/\?/g, () => `$${++index}`),
          [...params],
        );
      },
    };
  }
  if (inner instanceof PostgresAdapter) {
    return {
      dialect: 'postgres',
      run: async (sql, params = []) => {
        let index = 0;
        await inner.pool.query(
          sql.replace(/\?/g, () => `$${++index}`),
          [...params],
        );
      },
    };
  }
  return undefined;
}

/** The adapter of the current file, opened before its first test and closed after its last. */
export interface ConformanceDatabase {
  readonly adapter: IDatabaseAdapter;
  /** The adapter's raw connection; undefined for a provider without one. */
  readonly raw: RawSql | undefined;
  /**
   * Opens another adapter of the same provider on a fresh database, for a test that must close it
   * or break it; disposed after the file's last test.
   */
  openAnother(options?: ConformanceOptions): Promise<IDatabaseAdapter>;
}

/**
 * Registers a fresh database for the tests `body` declares (one per file and provider), or skips
 * them with the provider's reason when it cannot run here. `options` configure the file's adapter.
 */
export function withProvider(
  provider: ConformanceProvider,
  body: (db: ConformanceDatabase) => void,
  options: ConformanceOptions = {},
): void {
  let opened: OpenedAdapter | undefined;
  const others: OpenedAdapter[] = [];
  const db: ConformanceDatabase = {
    get adapter(): IDatabaseAdapter {
      if (!opened) throw new Error(`${provider.name}: the adapter is not open`);
      return opened.adapter;
    },
    get raw(): RawSql | undefined {
      return rawSql(this.adapter);
    },
    async openAnother(overrides?: ConformanceOptions): Promise<IDatabaseAdapter> {
      const another = await provider.open({ ...options, ...overrides });
      others.push(another);
      return another.adapter;
    },
  };
  provider.describe(provider.name, () => {
    beforeAll(async () => {
      opened = await provider.open(options);
    });
    afterAll(async () => {
      await Promise.all([opened, ...others.splice(0)].map((o) => o?.dispose()));
      opened = undefined;
    });
    body(db);
  });
}

/** Resolves after `ms` milliseconds; used only to make timestamps differ, never to assert timing. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The error `work` failed with; fails the test when it succeeds. */
export async function caught(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('Expected the call to fail, but it succeeded');
}

/**
 * A test of transactional behaviour. Where the adapter has no transactions (capability
 * `transactions: false`), it checks instead that asking for one fails with
 * TransactionNotSupportedException, so the suite branches on capability, never on the provider.
 */
export function transactional(
  db: ConformanceDatabase,
  work: () => Promise<void>,
): () => Promise<void> {
  return async () => {
    if (!db.adapter.capabilities.transactions) {
      const error = await caught(() => db.adapter.transaction(async () => undefined));
      expect(error).toBeInstanceOf(TransactionNotSupportedException);
      return;
    }
    await work();
  };
}

/** Resolves with how `promise` settled, so a test can assert on a rejection it started earlier. */
export function settled<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return Promise.allSettled([promise]).then(([result]) => result);
}

/**
 * Awaited first by a flow started with an async IIFE: until its first await, a flow shares its
 * caller's async context, and beginTransaction() would enter the caller's context too.
 */
export function flowOfItsOwn(): Promise<void> {
  return Promise.resolve();
}

/** The live users of a scope. */
export function liveUsers(adapter: IDatabaseAdapter, scope: Scope): Promise<IUserEntity[]> {
  return adapter.findMany({ filters: scope.users() }, usersTable);
}

/** A promise and the function that resolves it. */
export function signal(): { promise: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const promise = new Promise<void>((resolve) => (fire = resolve));
  return { promise, fire };
}

/** Asserts that `work` fails with a ValidationException naming `field`, and returns it. */
export async function expectValidation(
  work: () => Promise<unknown>,
  field: string,
): Promise<ValidationException> {
  const error = await caught(work);
  expect(error).toBeInstanceOf(ValidationException);
  expect((error as ValidationException).field).toBe(field);
  return error as ValidationException;
}

/** Compares strings by code point, the order every provider uses for text. */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Ids of rows, in the order given. */
export function ids(rows: readonly { id: string }[]): string[] {
  return rows.map((row) => row.id);
}

/** The ids sorted by code point: the order of ties. */
export function sortedIds(rows: readonly { id: string }[]): string[] {
  return ids(rows).sort(byCodePoint);
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const ISO_UTC_MILLIS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * Inputs unique to one test: every email, Stripe id and event type carries the scope's tag, so a
 * test finds exactly its own rows with {@link Scope.users} and friends, whatever else is stored.
 */
export class Scope {
  /** Lower-case hex, so it never contains a LIKE wildcard or a letter a test searches for. */
  readonly tag = randomBytes(6).toString('hex');
  private counter = 0;

  /** A number unique within the scope. */
  next(): number {
    this.counter += 1;
    return this.counter;
  }

  /** An email unique to the scope, matched by {@link Scope.users}. */
  email(local = `u${this.next()}`): string {
    return `${local}.${this.tag}@conf.test`;
  }

  /** Filters that select exactly the users whose email came from {@link Scope.email}. */
  users(): { email: { like: string } } {
    return { email: { like: `%.${this.tag}@conf.test` } };
  }

  /** A user input; `overrides` replace any property. */
  user(overrides: Partial<CreateInput<IUserEntity>> = {}): CreateInput<IUserEntity> {
    return {
      email: this.email(),
      firstName: 'Ada',
      lastName: 'Lovelace',
      passwordHash: null,
      role: UserRole.User,
      status: UserStatus.Active,
      emailVerified: false,
      phone: null,
      avatarUrl: null,
      stripeCustomerId: null,
      lastLogin: null,
      ...overrides,
    };
  }

  /** A payment input for `userId`, with a Stripe id unique to the scope. */
  payment(
    userId: string,
    overrides: Partial<CreateInput<IPaymentEntity>> = {},
  ): CreateInput<IPaymentEntity> {
    return {
      stripePaymentIntentId: `pi${this.tag}n${this.next()}`,
      userId,
      stripeCustomerId: null,
      amount: 1999,
      currency: 'usd',
      status: PaymentStatus.Succeeded,
      paymentMethod: 'card',
      description: null,
      metadata: {},
      ...overrides,
    };
  }

  /** A subscription input for `userId`, with a Stripe id unique to the scope. */
  subscription(
    userId: string,
    overrides: Partial<CreateInput<ISubscriptionEntity>> = {},
  ): CreateInput<ISubscriptionEntity> {
    return {
      stripeSubscriptionId: `sub${this.tag}n${this.next()}`,
      userId,
      stripeCustomerId: null,
      productId: 'prod_conformance',
      priceId: 'price_conformance',
      status: SubscriptionStatus.Active,
      currentPeriodStart: '2024-05-01T12:00:00.000Z',
      currentPeriodEnd: '2024-06-01T12:00:00.000Z',
      trialStart: null,
      trialEnd: null,
      cancelAtPeriodEnd: false,
      canceledAt: null,
      quantity: 1,
      metadata: {},
      ...overrides,
    };
  }

  /** The event type every webhook event of this scope has. */
  eventType(): string {
    return `conformance.${this.tag}`;
  }

  /** A webhook event input with a Stripe id unique to the scope. */
  webhookEvent(
    overrides: Partial<CreateInput<IWebhookEventEntity>> = {},
  ): CreateInput<IWebhookEventEntity> {
    return {
      stripeEventId: `evt${this.tag}n${this.next()}`,
      eventType: this.eventType(),
      processed: false,
      processedAt: null,
      payload: {},
      errorMessage: null,
      retryCount: 0,
      ...overrides,
    };
  }
}

/** One key of {@link sortRows}: a property and its direction. */
export interface SortKey {
  field: string;
  direction?: 'asc' | 'desc';
}

/**
 * The rows in the order the contract defines: by each key (text by code point, NULL larger than
 * every value), then by id ascending.
 */
export function sortRows<R extends { id: string }>(
  rows: readonly R[],
  keys: readonly SortKey[],
): R[] {
  const all: SortKey[] = [...keys, { field: 'id', direction: 'asc' }];
  const compare = (a: unknown, b: unknown): number => {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    return (a as string | number) < (b as string | number) ? -1 : 1;
  };
  return [...rows].sort((x, y) => {
    for (const key of all) {
      const order = compare(
        (x as Record<string, unknown>)[key.field],
        (y as Record<string, unknown>)[key.field],
      );
      if (order !== 0) return key.direction === 'desc' ? -order : order;
    }
    return 0;
  });
}

/** The ids of the scope's users matching `filters`, sorted. */
export async function scopedUserIds(
  adapter: IDatabaseAdapter,
  scope: Scope,
  filters: IFilterOptions,
): Promise<string[]> {
  return sortedIds(
    await adapter.findMany({ filters: { ...scope.users(), ...filters } }, usersTable),
  );
}
