import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  allowQueriesOn,
  ConnectionException,
  SQLiteAdapter,
  TransactionException,
  usersTable,
  type IUserEntity,
  type QueryEvent,
  type CreateInput,
} from '../../src';

const user = (email: string, extra: Partial<CreateInput<IUserEntity>> = {}) =>
  ({
    email,
    firstName: 'Ann',
    lastName: 'Lee',
    role: 'User',
    status: 'Active',
    emailVerified: false,
    ...extra,
  }) as CreateInput<IUserEntity>;

describe('SQLiteAdapter', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ndl-sqlite-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the directory, applies the pragmas and migrates on open', async () => {
    const path = join(dir, 'nested', 'deeper', 'db.sqlite');
    const adapter = await SQLiteAdapter.open({ path, synchronous: 'FULL', busyTimeoutMs: 1234 });
    const db = adapter.connection;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(1234);
    expect(await adapter.count({}, usersTable)).toBe(0);
    await adapter.close();
  });

  it('works on :memory:', async () => {
    const adapter = await SQLiteAdapter.open({ path: ':memory:' });
    const created = await adapter.create(user('mem@x.io'), usersTable);
    expect(await adapter.findById(created.id, usersTable)).toEqual(created);
    await adapter.close();
  });

  it('releases the file on close, and a second close is safe', async () => {
    const path = join(dir, 'release.sqlite');
    const adapter = await SQLiteAdapter.open({ path });
    await adapter.create(user('r@x.io'), usersTable);
    await adapter.close();
    await adapter.close();
    await expect(adapter.count({}, usersTable)).rejects.toBeInstanceOf(ConnectionException);
    rmSync(path);
    rmSync(`${path}-wal`, { force: true });
    rmSync(`${path}-shm`, { force: true });
    expect(existsSync(path)).toBe(false);
    const reopened = await SQLiteAdapter.open({ path });
    expect(await reopened.count({}, usersTable)).toBe(0);
    await reopened.close();
  });

  describe('transactions on the single connection', () => {
    let adapter: SQLiteAdapter;
    beforeEach(async () => {
      adapter = await SQLiteAdapter.open({
        path: join(dir, `tx-${Date.now()}-${Math.random()}.sqlite`),
      });
    });
    afterEach(() => adapter.close());

    it('runs a statement from another flow after the open transaction, not inside it', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const failing = adapter
        .transaction(async () => {
          await adapter.create(user('inside@x.io'), usersTable);
          await gate;
          throw new Error('abort');
        })
        .catch((error: Error) => error.message);
      const outside = adapter.create(user('outside@x.io'), usersTable);
      release();
      expect(await failing).toBe('abort');
      await outside;
      expect(await adapter.count({ email: 'inside@x.io' }, usersTable)).toBe(0);
      expect(await adapter.count({ email: 'outside@x.io' }, usersTable)).toBe(1);
    });

    it('queues concurrent begin/commit handles instead of mixing them', async () => {
      const flow = async (email: string, commit: boolean) => {
        const handle = await adapter.beginTransaction();
        await adapter.create(user(email), usersTable);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (commit) await adapter.commitTransaction(handle);
        else await adapter.rollbackTransaction(handle);
      };
      await Promise.all([flow('a@x.io', true), flow('b@x.io', false), flow('c@x.io', true)]);
      const emails = (await adapter.findMany({ orderBy: { field: 'email' } }, usersTable)).map(
        (u) => u.email,
      );
      expect(emails).toEqual(['a@x.io', 'c@x.io']);
    });

    it('rolls back a begun transaction left open past transactionTimeoutMs', async () => {
      const short = await SQLiteAdapter.open({ path: ':memory:', transactionTimeoutMs: 20 });
      const handle = await short.beginTransaction();
      await short.create(user('late@x.io'), usersTable);
      await new Promise((resolve) => setTimeout(resolve, 60));
      await expect(short.commitTransaction(handle)).rejects.toBeInstanceOf(TransactionException);
      expect(await short.count({}, usersTable)).toBe(0);
      await short.close();
    });

    it('keeps sibling savepoints apart when nested transactions run concurrently', async () => {
      await adapter.transaction(async () => {
        await Promise.all([
          adapter.transaction(async () => {
            await adapter.create(user('keep@x.io'), usersTable);
          }),
          adapter
            .transaction(async () => {
              await adapter.create(user('drop@x.io'), usersTable);
              throw new Error('inner');
            })
            .catch(() => undefined),
        ]);
      });
      const emails = (await adapter.findMany({}, usersTable)).map((u) => u.email);
      expect(emails).toEqual(['keep@x.io']);
    });
  });

  it('answers every read with a promise: bad input and a closed adapter reject, never throw', async () => {
    // The reads run synchronously on better-sqlite3 up to one promise made at the end; what goes
    // wrong on the way must still reach the caller as a rejection, as from an async function.
    const adapter = await SQLiteAdapter.open({ path: ':memory:' });
    const created = await adapter.create(user('sync@example.com'), usersTable);
    const reads = (id: string) => [
      () => adapter.findById(id, usersTable),
      () => adapter.findByIds([id], usersTable),
      () => adapter.exists(id, usersTable),
      () => adapter.findMany({ filters: { id } }, usersTable),
      () => adapter.findFirst({ filters: { id } }, usersTable),
      () => adapter.findPage({ filters: { id } }, usersTable),
      () => adapter.findPage({ filters: { id }, pagination: { limit: 5 } }, usersTable),
      () => adapter.count({ id }, usersTable),
    ];
    for (const read of reads('not-a-uuid')) {
      let pending: Promise<unknown> | undefined;
      expect(() => (pending = read())).not.toThrow();
      await expect(pending).rejects.toMatchObject({ code: 'VALIDATION_ERROR' });
    }
    await expect(adapter.findById(created.id, usersTable)).resolves.toMatchObject({
      id: created.id,
    });
    await adapter.close();
    for (const read of reads(created.id)) {
      let pending: Promise<unknown> | undefined;
      expect(() => (pending = read())).not.toThrow();
      await expect(pending).rejects.toBeInstanceOf(ConnectionException);
    }
  });

  it('prepares one statement per query shape, whatever the IN list length', async () => {
    const adapter = await SQLiteAdapter.open({ path: ':memory:' });
    const { sqlite } = adapter as unknown as { sqlite: { statements: Map<string, unknown> } };
    const { statements } = sqlite;
    await adapter.findMany({ filters: { email: ['a@x.io'] } }, usersTable);
    const after = statements.size;
    for (const size of [2, 10, 500]) {
      await adapter.findMany(
        { filters: { email: Array.from({ length: size }, (_, i) => `${i}@x.io`) } },
        usersTable,
      );
    }
    expect(statements.size).toBe(after);
    await adapter.close();
  });

  it('reports every operation to the observer, redacting sensitive values', async () => {
    const events: QueryEvent[] = [];
    const adapter = await SQLiteAdapter.open({
      path: ':memory:',
      observer: { wantsStatements: true, onQuery: (event) => events.push(event) },
    });
    await adapter.create(user('obs@x.io', { passwordHash: 'secret-hash' }), usersTable);
    const create = events.find((e) => e.operation === 'create')!;
    expect(create.table).toBe('users');
    expect(create.statement).toMatch(/^INSERT INTO "users"/);
    expect(create.params).toContain('[REDACTED]');
    expect(create.params).not.toContain('secret-hash');
    // Filtering on a sensitive column needs the opt-in; its value is still redacted.
    const optedIn = allowQueriesOn(usersTable, ['passwordHash']);
    await adapter.findMany({ filters: { passwordHash: 'secret-hash' } }, optedIn);
    const find = events.find((e) => e.operation === 'findMany')!;
    expect(find.params).toEqual(['[REDACTED]']);
    await adapter.close();
  });
});

describe('SQLiteAdapter statistics', () => {
  it('counts the rows of every table, soft-deleted ones included', async () => {
    const adapter = await SQLiteAdapter.open({ path: ':memory:' });
    const a = await adapter.create(user('count-a@x.io'), usersTable);
    await adapter.create(user('count-b@x.io'), usersTable);
    await adapter.softDelete(a.id, usersTable);
    const counts = await adapter.tableRowCounts();
    expect(counts).toMatchObject({ users: 2, payments: 0, subscriptions: 0, webhook_events: 0 });
    expect(Object.keys(counts).some((name) => name.startsWith('sqlite_'))).toBe(false);
    await adapter.close();
  });
});
