import type { IDatabaseAdapter } from '../adapters/database-adapter.interface';
import { SqlAdapter } from '../adapters/sql/sql.adapter';
import { invalidateCachedReads } from '../cache/invalidate-cached-reads';
import { DatabaseConfigurationException } from '../config/database-configuration.exception';
import { DATABASE_ADAPTER } from '../database.constants';
import { TransactionNotSupportedException, ValidationException } from '../exceptions';

/** A Nest module or application (`TestingModule`, `INestApplication`): what holds the adapter. */
export interface AdapterContainer {
  get(token: symbol): unknown;
}

/** How {@link rollbackEachTest} finds the adapter, asked before each test. */
export type TestAdapterSource = () => IDatabaseAdapter | AdapterContainer;

/** The most layers (resilience, observation) looked through for the SQL adapter. */
const MAX_LAYERS = 8;

/**
 * The SQL adapter under an adapter's layers (`withResilience`, `withObservation` keep the one they
 * wrap as `inner`): where the test transaction lives.
 *
 * @throws TransactionNotSupportedException when there is none (Supabase over PostgREST).
 */
function sqlAdapterOf(adapter: IDatabaseAdapter): SqlAdapter<unknown> {
  if (typeof adapter !== 'object' || adapter === null) {
    throw new ValidationException('A test transaction needs a database adapter', 'adapter');
  }
  let layer: unknown = adapter;
  for (let depth = 0; depth < MAX_LAYERS && typeof layer === 'object' && layer; depth += 1) {
    if (layer instanceof SqlAdapter) return layer;
    layer = (layer as { inner?: unknown }).inner;
  }
  throw new TransactionNotSupportedException(
    `A test transaction needs a SQL provider (sqlite, pglite or postgres); ${String(adapter.provider)} has no transaction spanning several calls`,
  );
}

/**
 * Opens the test transaction of `adapter`: until {@link rollbackTestTransaction}, every statement
 * that has no transaction of its own runs in it, `transaction()` calls and `beginTransaction()`
 * handles become savepoints in it, and nothing is committed. The code under test does not
 * change. It lives on the adapter, not in an async context, so a transaction begun in a
 * `beforeEach` hook reaches the test body. Call it from your runner's before-each hook; with
 * Jest, {@link rollbackEachTest} does.
 *
 * @throws TransactionNotSupportedException on Supabase; TransactionException when one is open.
 */
export function beginTestTransaction(adapter: IDatabaseAdapter): Promise<void> {
  return withAdapter(adapter, (sql) => sql.beginAmbientTransaction());
}

/**
 * Rolls back the test transaction of `adapter`: nothing the test wrote remains, and no read the
 * cache layer (if any) kept during the test is served again.
 *
 * @throws TransactionException when none is open, or when it ended during the test (then the
 * message says why: its connection lost, the adapter closed).
 */
export async function rollbackTestTransaction(adapter: IDatabaseAdapter): Promise<void> {
  try {
    await withAdapter(adapter, (sql) => sql.rollbackAmbientTransaction());
  } finally {
    // Reads during the test may have cached rows the rollback removed.
    await invalidateCachedReads(adapter);
  }
}

/**
 * Runs each test of the enclosing `describe` (or file) in a test transaction rolled back at its
 * end, through Jest's global `beforeEach` / `afterEach` (Vitest's too, with `globals: true`).
 * `source` is asked before each test, so it may name a module compiled in `beforeAll`.
 *
 * @throws DatabaseConfigurationException when the global hooks are missing: then call
 * {@link beginTestTransaction} and {@link rollbackTestTransaction} from your runner's hooks.
 *
 * @example
 * let moduleRef: TestingModule;
 * beforeAll(async () => {
 *   moduleRef = await Test.createTestingModule({ imports: [DatabaseTestingModule.forRoot()] }).compile();
 * });
 * rollbackEachTest(() => moduleRef);
 */
export function rollbackEachTest(source: TestAdapterSource): void {
  const { beforeEach, afterEach } = globalThis as {
    beforeEach?: (hook: () => Promise<void>) => void;
    afterEach?: (hook: () => Promise<void>) => void;
  };
  if (typeof beforeEach !== 'function' || typeof afterEach !== 'function') {
    throw new DatabaseConfigurationException([
      'rollbackEachTest() needs the global beforeEach and afterEach of Jest (or of Vitest with globals: true); with another runner, call beginTestTransaction() and rollbackTestTransaction() from its hooks',
    ]);
  }
  let open: IDatabaseAdapter | undefined;
  beforeEach(async () => {
    const adapter = adapterOf(source());
    await beginTestTransaction(adapter);
    open = adapter;
  });
  afterEach(async () => {
    const adapter = open;
    open = undefined;
    if (adapter !== undefined) await rollbackTestTransaction(adapter);
  });
}

function withAdapter(
  adapter: IDatabaseAdapter,
  step: (sql: SqlAdapter<unknown>) => Promise<void>,
): Promise<void> {
  try {
    return step(sqlAdapterOf(adapter));
  } catch (error) {
    return Promise.reject(error);
  }
}

function adapterOf(found: IDatabaseAdapter | AdapterContainer): IDatabaseAdapter {
  if (isAdapter(found)) return found;
  let cause: unknown;
  if (typeof found === 'object' && found !== null && typeof found.get === 'function') {
    try {
      const adapter = found.get(DATABASE_ADAPTER);
      if (isAdapter(adapter)) return adapter;
    } catch (error) {
      cause = error;
    }
  }
  throw new ValidationException(
    'rollbackEachTest(): the source must return a database adapter, or a Nest module or application that has one (is it compiled yet?)',
    'source',
    { cause },
  );
}

function isAdapter(value: unknown): value is IDatabaseAdapter {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as IDatabaseAdapter).beginTransaction === 'function'
  );
}
