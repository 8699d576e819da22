import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { SQLiteAdapter } from '../../src/adapters/sqlite';
import { RecordNotFoundException, UniqueConstraintException } from '../../src/exceptions';
import { PLAIN_OPERATIONS, TABLE_OPERATIONS } from '../../src/observation';
import { withResilience } from '../../src/resilience';
import { usersTable } from '../../src/schema';
import { databaseTargetOf } from '../../src/config/database-target';
import { withTracing } from '../../src/tracing';
import { Scope } from '../conformance/conformance-setup';
import { nameTree, SpanRecorder } from '../support/span-recorder';

const scope = new Scope();
const user = (email: string) => scope.user({ email, passwordHash: 'secret-hash' });

const recorder = new SpanRecorder();
afterAll(() => recorder.stop());

describe('withTracing: a span for every operation', () => {
  let inner: SQLiteAdapter;
  const traced = () =>
    withTracing(inner, { tracerProvider: recorder.provider, namespace: 'app.sqlite' });

  beforeEach(async () => {
    inner = await SQLiteAdapter.open({ path: ':memory:' });
    recorder.reset();
  });
  afterEach(() => inner.close());

  it('names a span `<operation> <table>`, kind CLIENT, with the database conventions’ attributes', async () => {
    await traced().findMany({ filters: { email: 'x@y.io' } }, usersTable);
    const [span] = recorder.spans;
    expect(span.name).toBe('findMany users');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toEqual({
      'db.system.name': 'sqlite',
      'db.namespace': 'app.sqlite',
      'db.collection.name': 'users',
      'db.operation.name': 'findMany',
      'nest_data_layer.provider': 'sqlite',
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.instrumentationScope.name).toBe('nest-data-layer');
  });

  it('never records a value the caller passed: not in attributes, status or events', async () => {
    const adapter = traced();
    const created = await adapter.create(user('secret.person@example.com'), usersTable);
    await adapter.update(created.id, { firstName: 'Confidential' }, usersTable);
    await expect(adapter.create(user('secret.person@example.com'), usersTable)).rejects.toThrow(
      UniqueConstraintException,
    );
    const everything = JSON.stringify(
      recorder.spans.map((s) => [s.name, s.attributes, s.status, s.events, s.links]),
    );
    for (const value of ['secret.person', 'Confidential', 'secret-hash', 'Lovelace', created.id]) {
      expect(everything).not.toContain(value);
    }
  });

  it('marks a failed call ERROR with `error.type` the exception class and the code as status', async () => {
    const adapter = traced();
    await expect(
      adapter.update('00000000-0000-4000-8000-000000000000', { firstName: 'Z' }, usersTable),
    ).rejects.toBeInstanceOf(RecordNotFoundException);
    await expect(
      adapter.transaction(async () => {
        throw new TypeError('the caller’s own bug');
      }),
    ).rejects.toThrow(TypeError);
    const [update, transaction] = recorder.spans;
    expect(update.attributes['error.type']).toBe('RecordNotFoundException');
    expect(update.status).toEqual({ code: SpanStatusCode.ERROR, message: 'RECORD_NOT_FOUND' });
    expect(transaction.name).toBe('transaction');
    expect(transaction.attributes['error.type']).toBe('TypeError');
    expect(transaction.status).toEqual({ code: SpanStatusCode.ERROR });
  });

  it('traces handle transactions as begin, commit and rollback spans, and their calls still join them', async () => {
    const adapter = traced();
    await recorder.inSpan('job', async () => {
      await adapter.beginTransaction();
      await adapter.create(user('a@x.io'), usersTable);
      await adapter.rollbackTransaction();
    });
    expect(await adapter.count(undefined, usersTable)).toBe(0);
    expect(recorder.trees().map(nameTree)).toEqual([
      { job: ['beginTransaction', 'create users', 'rollbackTransaction'] },
      'count users',
    ]);
  });

  it('is the outermost layer: a retried call is one span, and the stats of the layers below pass through', async () => {
    const adapter = withTracing(withResilience(inner), { tracerProvider: recorder.provider });
    await adapter.ping();
    expect(recorder.spans.map((s) => s.name)).toEqual(['ping']);
    expect(typeof (adapter as unknown as { resilienceStats?: unknown }).resilienceStats).toBe(
      'function',
    );
    expect(typeof (adapter as unknown as { poolStats?: unknown }).poolStats).toBe(
      typeof (inner as unknown as { poolStats?: unknown }).poolStats,
    );
  });

  it('traces raw SQL as runSql and each batch of an iteration as findPage', async () => {
    const adapter = traced();
    for (const n of [1, 2, 3]) await adapter.create(user(`it${n}@x.io`), usersTable);
    recorder.reset();
    await recorder.inSpan('report', async () => {
      await adapter.sql`SELECT count(*) AS n FROM users WHERE email LIKE ${'%@x.io'}`;
      const seen: string[] = [];
      for await (const row of adapter.iterate({}, usersTable, { batchSize: 2 })) seen.push(row.id);
      expect(seen).toHaveLength(3);
    });
    expect(recorder.trees().map(nameTree)).toEqual([
      { report: ['runSql', 'findPage users', 'findPage users'] },
    ]);
    expect(JSON.stringify(recorder.spans.map((s) => s.attributes))).not.toContain('@x.io');
  });

  it('traces every operation of the shared list', () => {
    const adapter = traced() as unknown as Record<string, unknown>;
    for (const name of [...Object.keys(TABLE_OPERATIONS), ...PLAIN_OPERATIONS]) {
      expect(Object.prototype.hasOwnProperty.call(adapter, name)).toBe(true);
    }
  });

  it('is a no-op without an SDK: the global provider records nothing and results pass through', async () => {
    const adapter = withTracing(inner);
    const created = await adapter.create(user('b@x.io'), usersTable);
    expect(await adapter.findById(created.id, usersTable)).toEqual(created);
    expect(recorder.spans).toHaveLength(0);
  });
});

describe('databaseTargetOf: where spans say the database is', () => {
  const base = {
    sqlite: { path: '/srv/app/secret-dir/app.sqlite', synchronous: 'NORMAL' as const },
    pglite: { path: 'memory://' },
    postgres: null,
    supabase: null,
  };

  it('gives a PostgreSQL URL’s database and host, never its user or password', () => {
    const target = databaseTargetOf('postgres', {
      ...base,
      postgres: {
        connectionString: 'postgresql://admin:hunter2@db.internal:6432/billing?sslmode=require',
        poolMax: 10,
        pooler: 'auto',
        connectWaitMs: 0,
        migrationLockTimeoutMs: 0,
      },
    });
    expect(target).toEqual({
      namespace: 'billing',
      serverAddress: 'db.internal',
      serverPort: 6432,
    });
  });

  it('gives a SQLite file’s base name only, and nothing for memory databases', () => {
    expect(databaseTargetOf('sqlite', base)).toEqual({ namespace: 'app.sqlite' });
    expect(
      databaseTargetOf('sqlite', { ...base, sqlite: { ...base.sqlite, path: ':memory:' } }),
    ).toEqual({ namespace: undefined });
    expect(databaseTargetOf('pglite', base)).toEqual({ namespace: undefined });
  });

  it('gives the Supabase project’s host, without the key', () => {
    const target = databaseTargetOf('supabase', {
      ...base,
      supabase: { url: 'https://abc.supabase.co', key: 'k', anonKey: 'k' },
    });
    expect(target).toEqual({ serverAddress: 'abc.supabase.co' });
  });
});
