import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { IDatabaseAdapter } from '../../src/adapters/database-adapter.interface';
import { SupabaseAdapter } from '../../src/adapters/supabase';
import { DatabaseException } from '../../src/exceptions';
import type { IUserEntity } from '../../src/entities/user.entity';
import {
  PaymentRepository,
  SubscriptionRepository,
  UserRepository,
  WebhookRepository,
  groupBy,
  loadByForeignKey,
} from '../../src/repositories';
import { withResilience } from '../../src/resilience';
import { paymentsTable, usersTable, webhookEventsTable } from '../../src/schema';
import { FakePostgrest } from '../supabase/support/fake-postgrest';
import { type OpenedDatabase, RESILIENCE_PROVIDERS } from './support/resilience-providers';

/**
 * Every public method of the repositories, the relation loader and the adapter contract, called
 * with one argument replaced by a hostile value: the call must return a promise that either
 * rejects with a DatabaseException or, where the value is one the argument may take, resolves.
 * Never a TypeError, never a synchronous throw, never a dropped filter.
 */

/** What an argument is, which decides the hostile values it may legitimately take. */
type Kind =
  | 'id' // a row id: a UUID
  | 'key' // a lookup key: any non-empty string may find nothing
  | 'text' // a nullable text value
  | 'record' // a create input, an event, upsert options: must be a valid object
  | 'patch' // an update: any object may be a valid (even empty) one
  | 'list' // ids, users: an empty array is valid
  | 'rows' // rows to group: any array of objects is valid
  | 'options' // optional read options and filters: null and {} mean none
  | 'integer' // a step or threshold
  | 'field' // an integer property name
  | 'work' // a transaction callback
  | 'date' // an optional Date
  | 'handle'; // a transaction handle, with no transaction open

function mayResolve(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'key':
      return typeof value === 'string' && value !== '' && !value.includes('\u0000');
    case 'text':
      return value == null || (typeof value === 'string' && !value.includes('\u0000'));
    case 'patch':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'list':
      return Array.isArray(value) && value.length === 0;
    case 'rows':
      return Array.isArray(value) && value.every((row) => typeof row === 'object' && row !== null);
    case 'options':
      return true;
    case 'integer':
      return Number.isSafeInteger(value) && Math.abs(value as number) < 2 ** 31;
    case 'work':
      return typeof value === 'function';
    case 'date':
      return value === undefined || (value instanceof Date && !Number.isNaN(value.getTime()));
    default:
      return false;
  }
}

/** Values that break naive argument handling. */
const HOSTILE: readonly unknown[] = [
  undefined,
  null,
  '',
  ' ',
  'not-a-uuid',
  'a\u0000b',
  0,
  -0,
  -1,
  1.5,
  NaN,
  Infinity,
  2 ** 53,
  10n,
  true,
  false,
  {},
  [],
  [null],
  [undefined],
  [''],
  { eq: undefined },
  Object.create(null),
  new Date(NaN),
  new Map([['email', 'x']]),
  Symbol('hostile'),
  () => undefined,
  Promise.resolve('x'),
];

interface Arg {
  kind: Kind;
  valid: () => unknown;
  /** Whether the argument may be left out (undefined). */
  optional?: boolean;
}

interface PublicMethod {
  name: string;
  args: readonly Arg[];
  call: (...args: unknown[]) => unknown;
}

interface Subjects {
  adapter: IDatabaseAdapter;
  user: IUserEntity;
  paymentId: string;
  eventId: string;
}

/** A fresh, valid user input (unique email each time). */
function userInput(): Record<string, unknown> {
  const tag = randomBytes(5).toString('hex');
  return {
    email: `h${tag}@example.com`,
    firstName: 'Hostile',
    lastName: 'Args',
    role: 'User',
    status: 'Active',
    emailVerified: false,
  };
}

const arg = (kind: Kind, valid: () => unknown = () => undefined): Arg => ({ kind, valid });
const optional = (kind: Kind): Arg => ({ kind, valid: () => undefined, optional: true });

/** Reads an iteration's first row, if any: where a streaming call meets its input. */
async function firstRow(rows: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of rows) break;
}

function publicMethods(s: Subjects): PublicMethod[] {
  const a = s.adapter;
  const users = new UserRepository(a);
  const payments = new PaymentRepository(a);
  const subscriptions = new SubscriptionRepository(a);
  const webhooks = new WebhookRepository(a);
  const id = arg('id', () => s.user.id);
  const userFields = arg('record', userInput);
  const upsert = arg('record', () => ({ conflictField: 'email', onConflict: 'update' }));
  // Bulk writes' filters: valid ones match no row, so no call changes the subjects.
  const nobody = arg('options', () => ({ email: 'nobody@example.invalid' }));
  // Left out, markProcessed is the one-argument form, which may resolve.
  const worker: Arg = { kind: 'key', valid: () => 'worker', optional: true };
  const m = (name: string, args: Arg[], call: (...v: any[]) => unknown): PublicMethod => ({
    name,
    args,
    call,
  });
  return [
    // The adapter contract.
    m('adapter.create', [userFields], (d) => a.create(d, usersTable)),
    m('adapter.createMany', [arg('list', () => [])], (d) => a.createMany(d, usersTable)),
    m('adapter.upsert', [userFields, upsert], (d, o) => a.upsert(d, usersTable, o)),
    m('adapter.findById', [id, arg('options')], (i, o) => a.findById(i, usersTable, o)),
    m('adapter.findByIds', [arg('list', () => []), arg('options')], (i, o) =>
      a.findByIds(i, usersTable, o),
    ),
    m('adapter.findMany', [arg('options')], (o) => a.findMany(o, usersTable)),
    m('adapter.findFirst', [arg('options')], (o) => a.findFirst(o, usersTable)),
    m('adapter.findPage', [arg('options')], (o) => a.findPage(o, usersTable)),
    m('adapter.count', [arg('options'), arg('options')], (f, o) => a.count(f, usersTable, o)),
    m('adapter.exists', [id, arg('options')], (i, o) => a.exists(i, usersTable, o)),
    m('adapter.aggregate', [arg('record', () => ({ count: true }))], (o) =>
      a.aggregate(o, usersTable),
    ),
    m('adapter.iterate', [arg('options'), arg('options')], (o, io) =>
      firstRow(a.iterate(o, usersTable, io)),
    ),
    m('adapter.update', [id, arg('patch', () => ({}))], (i, d) => a.update(i, d, usersTable)),
    m(
      'adapter.increment',
      [
        arg('id', () => s.eventId),
        arg('field', () => 'retryCount'),
        arg('integer', () => 0),
        optional('patch'),
      ],
      (i, f, by, d) => a.increment(i, f, by, webhookEventsTable, d),
    ),
    m(
      'adapter.claim',
      [arg('record', () => ({ filters: { id: s.eventId }, limit: 1, set: { errorMessage: 'x' } }))],
      (o) => a.claim(o, webhookEventsTable),
    ),
    m('adapter.softDelete', [arg('id')], (i) => a.softDelete(i, usersTable)),
    m('adapter.restore', [arg('id')], (i) => a.restore(i, usersTable)),
    m('adapter.hardDelete', [arg('id')], (i) => a.hardDelete(i, usersTable)),
    m('adapter.upsertMany', [arg('list', () => []), upsert], (d, o) =>
      a.upsertMany(d, usersTable, o),
    ),
    m('adapter.updateMany', [nobody, arg('patch', () => ({})), arg('options')], (f, d, o) =>
      a.updateMany(f, d, usersTable, o),
    ),
    m('adapter.softDeleteMany', [nobody, arg('options')], (f, o) =>
      a.softDeleteMany(f, usersTable, o),
    ),
    m('adapter.restoreMany', [nobody, arg('options')], (f, o) => a.restoreMany(f, usersTable, o)),
    m('adapter.deleteMany', [nobody, arg('options')], (f, o) => a.deleteMany(f, usersTable, o)),
    // A value of raw SQL: bound when it is one, refused when not, never spliced.
    m('adapter.sql', [arg('options', () => 1)], (v) => a.sql`SELECT ${v} AS v`),
    m('adapter.transaction', [arg('work', () => async () => 1)], (w) => a.transaction(w)),
    m('adapter.commitTransaction', [arg('handle')], (h) => a.commitTransaction(h)),
    m('adapter.rollbackTransaction', [arg('handle')], (h) => a.rollbackTransaction(h)),
    // BaseRepository, through the users' repository.
    m('create', [userFields], (d) => users.create(d)),
    m('createMany', [arg('list', () => [])], (d) => users.createMany(d)),
    m('upsert', [userFields, upsert], (d, o) => users.upsert(d, o)),
    m('findById', [id, arg('options')], (i, o) => users.findById(i, o)),
    m('findByIds', [arg('list', () => []), arg('options')], (i, o) => users.findByIds(i, o)),
    m('findMany', [arg('options')], (o) => users.findMany(o)),
    m('findFirst', [arg('options')], (o) => users.findFirst(o)),
    m('findWithPagination', [arg('options')], (o) => users.findWithPagination(o)),
    m('update', [id, arg('patch', () => ({}))], (i, d) => users.update(i, d)),
    m(
      'increment',
      [arg('id', () => s.eventId), arg('field', () => 'retryCount'), arg('integer', () => 0)],
      (i, f, by) => webhooks.increment(i, f, by),
    ),
    m('upsertMany', [arg('list', () => []), upsert], (d, o) => users.upsertMany(d, o)),
    m('updateMany', [nobody, arg('patch', () => ({})), arg('options')], (f, d, o) =>
      users.updateMany(f, d, o),
    ),
    m('softDeleteMany', [nobody, arg('options')], (f, o) => users.softDeleteMany(f, o)),
    m('restoreMany', [nobody, arg('options')], (f, o) => users.restoreMany(f, o)),
    m('deleteMany', [nobody, arg('options')], (f, o) => users.deleteMany(f, o)),
    m('softDelete', [arg('id')], (i) => users.softDelete(i)),
    m('restore', [arg('id')], (i) => users.restore(i)),
    m('hardDelete', [arg('id')], (i) => users.hardDelete(i)),
    m('count', [arg('options'), arg('options')], (f, o) => users.count(f, o)),
    m('exists', [id, arg('options')], (i, o) => users.exists(i, o)),
    m('aggregate', [arg('record', () => ({ count: true }))], (o) => users.aggregate(o)),
    m('iterate', [arg('options'), arg('options')], (o, io) => firstRow(users.iterate(o, io))),
    m('transaction', [arg('work', () => async () => 1)], (w) => users.transaction(w)),
    // The four repositories' own methods.
    m('findByEmail', [arg('key', () => 'x@example.com'), arg('options')], (e, o) =>
      users.findByEmail(e, o),
    ),
    m('findByStripeCustomerId', [arg('key', () => 'cus_x')], (k) =>
      users.findByStripeCustomerId(k),
    ),
    m('updateLastLogin', [id, arg('date')], (i, at) => users.updateLastLogin(i, at)),
    m('findWithBilling', [arg('options')], (o) => users.findWithBilling(o)),
    m('attachBilling', [arg('list', () => [])], (u) => users.attachBilling(u)),
    m('findByStripePaymentIntentId', [arg('key', () => 'pi_x')], (k) =>
      payments.findByStripePaymentIntentId(k),
    ),
    m('payments.upsertByStripeId', [arg('record')], (d) => payments.upsertByStripeId(d)),
    m('payments.findByUser', [id, arg('options')], (u, p) => payments.findByUser(u, p)),
    m('payments.findByUserIds', [arg('list', () => [])], (u) => payments.findByUserIds(u)),
    m('findByStripeSubscriptionId', [arg('key', () => 'sub_x')], (k) =>
      subscriptions.findByStripeSubscriptionId(k),
    ),
    m('subscriptions.upsertByStripeId', [arg('record')], (d) => subscriptions.upsertByStripeId(d)),
    m('findActiveByUser', [id], (u) => subscriptions.findActiveByUser(u)),
    m('subscriptions.findByUserIds', [arg('list', () => [])], (u) =>
      subscriptions.findByUserIds(u),
    ),
    m('findByStripeEventId', [arg('key', () => 'evt_x')], (k) => webhooks.findByStripeEventId(k)),
    m('recordIfNew', [arg('record')], (e) => webhooks.recordIfNew(e)),
    m('markProcessed', [arg('id')], (i) => webhooks.markProcessed(i)),
    m('markFailed', [arg('id', () => s.eventId), arg('text', () => 'failed')], (i, msg) =>
      webhooks.markFailed(i, msg),
    ),
    m('markProcessed (holder)', [arg('id', () => s.eventId), worker], (i, w) =>
      webhooks.markProcessed(i, w),
    ),
    m(
      'markFailed (holder)',
      [arg('id', () => s.eventId), arg('key', () => 'worker'), arg('text', () => 'failed')],
      (i, w, msg) => webhooks.markFailed(i, w, msg),
    ),
    m('claimRetryable', [arg('key', () => 'worker'), arg('options')], (w, o) =>
      webhooks.claimRetryable(w, o),
    ),
    m('findRetryable', [arg('integer', () => 3), arg('options')], (n, l) =>
      webhooks.findRetryable(n, l),
    ),
    // The relation loader.
    m('loadByForeignKey', [arg('list', () => [])], (ids) =>
      loadByForeignKey(a, paymentsTable, 'userId', ids),
    ),
    m('groupBy', [arg('rows', () => [])], (rows) =>
      Promise.resolve().then(() => groupBy(rows as { id: string }[], 'id')),
    ),
  ];
}

/** The outcome of one call: how it ended, and what is wrong with that (undefined: nothing). */
async function judge(
  method: PublicMethod,
  position: number,
  value: unknown,
): Promise<string | undefined> {
  const args = method.args.map((a, i) => (i === position ? value : a.valid()));
  const label = `${method.name} with argument ${position} = ${fc.stringify(value)}`;
  let result: unknown;
  try {
    result = method.call(...args);
  } catch (error) {
    return `${label} threw synchronously: ${String(error)}`;
  }
  if (typeof (result as Promise<unknown>)?.then !== 'function')
    return `${label} returned no promise`;
  try {
    await result;
  } catch (error) {
    return error instanceof DatabaseException
      ? undefined
      : `${label} rejected with ${(error as Error)?.constructor?.name}: ${String(error)}`;
  }
  const spec = method.args[position];
  const allowed = mayResolve(spec.kind, value) || (spec.optional === true && value === undefined);
  return allowed ? undefined : `${label} resolved`;
}

/** A Supabase adapter over a fake that answers nothing it was not told to (418). */
function fakeSupabase(): OpenedDatabase {
  const fake = new FakePostgrest();
  const adapter = new SupabaseAdapter({
    url: 'http://127.0.0.1:54321',
    serviceKey: 'k',
    fetch: fake.fetch,
  });
  return { adapter, tables: async () => [], dispose: () => adapter.close() };
}

const PROVIDERS = [
  ...RESILIENCE_PROVIDERS,
  {
    name: 'sqlite-file+resilience',
    describe,
    open: async () => {
      const opened = await RESILIENCE_PROVIDERS[0].open();
      return { ...opened, adapter: withResilience(opened.adapter) };
    },
  },
  { name: 'supabase (fake fetch)', describe, open: async () => fakeSupabase() },
];

for (const provider of PROVIDERS) {
  provider.describe(`hostile arguments on ${provider.name}`, () => {
    let opened: OpenedDatabase;
    let subjects: Subjects;

    beforeAll(async () => {
      opened = await provider.open();
      const adapter = opened.adapter;
      if (adapter.provider === 'supabase') {
        const fakeId = '0b5f6c1e-8d4a-4c39-9a57-2f0e4c1d9a10';
        subjects = {
          adapter,
          user: { id: fakeId } as IUserEntity,
          paymentId: fakeId,
          eventId: fakeId,
        };
        return;
      }
      const user = await adapter.create(userInput() as never, usersTable);
      const payments = new PaymentRepository(adapter);
      const payment = await payments.create({
        stripePaymentIntentId: `pi_${user.id}`,
        userId: user.id,
        amount: 100,
        currency: 'usd',
        status: 'succeeded',
      } as never);
      const event = await new WebhookRepository(adapter).create({
        stripeEventId: `evt_${user.id}`,
        eventType: 'hostile.arguments',
        payload: {},
      });
      subjects = { adapter, user, paymentId: payment.id, eventId: event.id };
    });
    afterAll(() => opened?.dispose());

    it('answers every public method given null, undefined, empty or wrong-typed arguments with a DatabaseException', async () => {
      const problems: string[] = [];
      let calls = 0;
      for (const method of publicMethods(subjects)) {
        for (let position = 0; position < method.args.length; position++) {
          for (const value of HOSTILE) {
            calls += 1;
            const problem = await judge(method, position, value);
            if (problem) problems.push(problem);
          }
        }
      }
      expect(problems).toEqual([]);
      expect(calls).toBeGreaterThan(2000);
    });

    it('answers random values in any argument of any public method the same way (property)', async () => {
      const methods = publicMethods(subjects);
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: methods.length - 1 }),
          fc.nat(),
          fc.anything({
            withBigInt: true,
            withDate: true,
            withMap: true,
            withSet: true,
            withNullPrototype: true,
            withTypedArray: true,
            withSparseArray: true,
            withBoxedValues: true,
          }),
          async (index, position, value) => {
            const method = methods[index];
            expect(await judge(method, position % method.args.length, value)).toBeUndefined();
          },
        ),
        { numRuns: 300 },
      );
    });
  });
}
