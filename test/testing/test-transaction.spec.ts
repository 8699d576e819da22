import { SQLiteAdapter } from '../../src/adapters/sqlite';
import { SupabaseAdapter } from '../../src/adapters/supabase';
import { DatabaseConfigurationException } from '../../src/config/database-configuration.exception';
import { UserRole, UserStatus } from '../../src/entities/user.entity';
import {
  ConnectionException,
  TransactionException,
  TransactionNotSupportedException,
  ValidationException,
} from '../../src/exceptions';
import { withObservation } from '../../src/observation';
import { withResilience } from '../../src/resilience';
import { usersTable } from '../../src/schema';
import {
  beginTestTransaction,
  defineFactory,
  rollbackEachTest,
  rollbackTestTransaction,
} from '../../src/testing';

const users = defineFactory(usersTable, (seq) => ({
  email: `flow${seq}@example.com`,
  firstName: 'Flow',
  lastName: `${seq}`,
  role: UserRole.User,
  status: UserStatus.Active,
  emailVerified: false,
}));

describe('beginTestTransaction / rollbackTestTransaction', () => {
  let adapter: SQLiteAdapter;

  beforeEach(async () => {
    adapter = await SQLiteAdapter.open({ path: ':memory:', migrate: true });
  });
  afterEach(() => adapter.close());

  it('undoes what was written, and statements run outside any transaction afterwards', async () => {
    await beginTestTransaction(adapter);
    await adapter.create(users.build(), usersTable);
    await rollbackTestTransaction(adapter);
    expect(await adapter.count(undefined, usersTable)).toBe(0);
    await adapter.create(users.build(), usersTable);
    expect(await adapter.count(undefined, usersTable)).toBe(1);
  });

  it('finds the SQL adapter under the resilience and observation layers', async () => {
    const wrapped = withObservation(withResilience(adapter), { onQuery: () => undefined });
    await beginTestTransaction(wrapped);
    await wrapped.create(users.build(), usersTable);
    await wrapped.transaction(() => wrapped.create(users.build(), usersTable));
    await rollbackTestTransaction(wrapped);
    expect(await adapter.count(undefined, usersTable)).toBe(0);
  });

  it('refuses a second test transaction, and a rollback with none open', async () => {
    await expect(rollbackTestTransaction(adapter)).rejects.toBeInstanceOf(TransactionException);
    await beginTestTransaction(adapter);
    await expect(beginTestTransaction(adapter)).rejects.toBeInstanceOf(TransactionException);
    await rollbackTestTransaction(adapter);
  });

  it('refuses Supabase, which has no transaction spanning several calls', async () => {
    const supabase = new SupabaseAdapter({ url: 'https://example.supabase.co', anonKey: 'k' });
    await expect(beginTestTransaction(supabase)).rejects.toBeInstanceOf(
      TransactionNotSupportedException,
    );
    await expect(beginTestTransaction(null as never)).rejects.toBeInstanceOf(ValidationException);
  });

  it('says at rollback that the adapter closed under the test', async () => {
    const other = await SQLiteAdapter.open({ path: ':memory:', migrate: true });
    await beginTestTransaction(other);
    await other.close();
    await expect(rollbackTestTransaction(other)).rejects.toBeInstanceOf(ConnectionException);
  });

  it('lets flows of one test share it: each sees the others’ writes', async () => {
    await beginTestTransaction(adapter);
    const [a, b] = await Promise.all([
      adapter.create(users.build(), usersTable),
      adapter.transaction(() => adapter.create(users.build(), usersTable)),
    ]);
    expect(await adapter.findByIds([a.id, b.id], usersTable)).toHaveLength(2);
    await rollbackTestTransaction(adapter);
  });

  it('refuses beginTransaction() inside transaction(), and ending a handle from inside one', async () => {
    await beginTestTransaction(adapter);
    await expect(adapter.transaction(() => adapter.beginTransaction())).rejects.toBeInstanceOf(
      TransactionException,
    );
    const handle = await adapter.beginTransaction();
    await expect(
      adapter.transaction(() => adapter.commitTransaction(handle)),
    ).rejects.toBeInstanceOf(TransactionException);
    await adapter.commitTransaction(handle);
    await rollbackTestTransaction(adapter);
  });

  it('gives a handle left open back with the test transaction', async () => {
    await beginTestTransaction(adapter);
    const handle = await adapter.beginTransaction();
    await adapter.create(users.build(), usersTable);
    await rollbackTestTransaction(adapter);
    await expect(adapter.commitTransaction(handle)).rejects.toBeInstanceOf(TransactionException);
    expect(await adapter.count(undefined, usersTable)).toBe(0);
  });
});

describe('rollbackEachTest', () => {
  it('needs the global beforeEach and afterEach, and says what to do without them', () => {
    const globals = globalThis as Record<string, unknown>;
    const saved = globals.beforeEach;
    delete globals.beforeEach;
    try {
      expect(() => rollbackEachTest(() => ({}) as never)).toThrow(DatabaseConfigurationException);
    } finally {
      globals.beforeEach = saved;
    }
  });

  /** Runs rollbackEachTest with the global hooks captured instead of registered. */
  function captureHooks(source: Parameters<typeof rollbackEachTest>[0]) {
    const globals = globalThis as Record<string, unknown>;
    const saved = { beforeEach: globals.beforeEach, afterEach: globals.afterEach };
    const hooks: Record<'before' | 'after', () => Promise<void>> = {} as never;
    globals.beforeEach = (hook: () => Promise<void>) => (hooks.before = hook);
    globals.afterEach = (hook: () => Promise<void>) => (hooks.after = hook);
    try {
      rollbackEachTest(source);
    } finally {
      Object.assign(globals, saved);
    }
    return hooks;
  }

  it('asks the source before each test, for an adapter or a module that holds one', async () => {
    const adapter = await SQLiteAdapter.open({ path: ':memory:', migrate: true });
    try {
      const source = jest.fn(() => ({ get: () => adapter }));
      const hooks = captureHooks(source);
      expect(source).not.toHaveBeenCalled();
      await hooks.before();
      await adapter.create(users.build(), usersTable);
      await hooks.after();
      expect(await adapter.count(undefined, usersTable)).toBe(0);
      expect(source).toHaveBeenCalledTimes(1);
    } finally {
      await adapter.close();
    }
  });

  it('fails the test with a ValidationException when the source holds no adapter', async () => {
    const hooks = captureHooks(() => ({
      get: () => {
        throw new Error('Nest could not find DATABASE_ADAPTER');
      },
    }));
    await expect(hooks.before()).rejects.toBeInstanceOf(ValidationException);
    await expect(hooks.after()).resolves.toBeUndefined();
  });
});
