import { SQLiteAdapter } from '../../src/adapters/sqlite';
import type { QueryEvent } from '../../src/adapters/query-observer';
import { UserRole, UserStatus, type IUserEntity } from '../../src/entities/user.entity';
import { RecordNotFoundException, TransactionException } from '../../src/exceptions';
import { withObservation } from '../../src/observation';
import type { CreateInput } from '../../src/schema';
import { usersTable } from '../../src/schema';

const user = (email: string): CreateInput<IUserEntity> => ({
  email,
  firstName: 'Ada',
  lastName: 'Lovelace',
  passwordHash: 'secret-hash',
  role: UserRole.User,
  status: UserStatus.Active,
  emailVerified: false,
  phone: null,
  avatarUrl: null,
  stripeCustomerId: null,
  lastLogin: null,
});

describe('withObservation: the observation layer around any adapter', () => {
  let inner: SQLiteAdapter;
  const events: QueryEvent[] = [];
  const observed = () =>
    withObservation(inner, { wantsStatements: true, onQuery: (event) => events.push(event) });

  beforeEach(async () => {
    inner = await SQLiteAdapter.open({ path: ':memory:' });
    events.length = 0;
  });
  afterEach(() => inner.close());

  it('reports each operation with its table, its statements and its redacted values', async () => {
    const adapter = observed();
    const created = await adapter.create(user('a@x.io'), usersTable);
    await adapter.findMany({ filters: { email: 'a@x.io' } }, usersTable);
    expect(events.map((e) => [e.operation, e.table, e.error])).toEqual([
      ['create', 'users', undefined],
      ['findMany', 'users', undefined],
    ]);
    expect(events[0].statement).toMatch(/^INSERT INTO "users"/);
    expect(events[0].params).toContain(created.id);
    expect(events[0].params).not.toContain('secret-hash');
    expect(events[1].statement).toMatch(/^SELECT .* FROM "users" WHERE/);
  });

  it('reports failures as the library exception, and a caller error out of transaction() as its rollback', async () => {
    const adapter = observed();
    await expect(
      adapter.update('00000000-0000-4000-8000-000000000000', { firstName: 'Z' }, usersTable),
    ).rejects.toBeInstanceOf(RecordNotFoundException);
    await expect(
      adapter.transaction(async () => {
        throw new Error('mine');
      }),
    ).rejects.toThrow('mine');
    expect(events[0].error).toBeInstanceOf(RecordNotFoundException);
    expect(events[1]).toMatchObject({ operation: 'transaction', table: '' });
    expect(events[1].error).toBeInstanceOf(TransactionException);
  });

  it('keeps beginTransaction() joining its caller, and forwards the optional methods', async () => {
    const adapter = observed();
    const handle = await adapter.beginTransaction();
    await adapter.create(user('b@x.io'), usersTable);
    await adapter.rollbackTransaction(handle);
    expect(await adapter.count({}, usersTable)).toBe(0);
    expect(typeof (adapter as unknown as { storageStats: unknown }).storageStats).toBe('function');
    expect(adapter.provider).toBe('sqlite');
  });
});
