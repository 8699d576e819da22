/**
 * Compile-time checks of typed read options: `npm run typecheck` (run by .ci/run through
 * test/types/type-tests.spec.ts) fails when an expectation here stops holding.
 */
import {
  UserRole,
  UserStatus,
  type BaseRepository,
  type FindOptions,
  type IDatabaseAdapter,
  type IFilterOptions,
  type IPaymentEntity,
  type IUserEntity,
  usersTable,
} from '../../src';

declare const users: BaseRepository<IUserEntity>;
declare const payments: BaseRepository<IPaymentEntity>;

// Good cases compile.
export const typed: FindOptions<IUserEntity> = {
  filters: {
    email: { ilike: '%@example.com' },
    status: [UserStatus.Active, UserStatus.Suspended],
    emailVerified: true,
    phone: null,
    lastLogin: { gte: new Date(0), lt: '2030-01-01T00:00:00.000Z' },
    createdAt: { isNull: false },
    search: 'ada',
    createdAfter: new Date(0),
    or: [{ firstName: 'Ada' }, { lastName: { like: 'Love%' }, not: { role: UserRole.Admin } }],
  },
  orderBy: [{ field: 'lastName', direction: 'desc' }, { field: 'email' }],
  select: ['id', 'email'],
};
export const amounts: IFilterOptions<IPaymentEntity> = { amount: { gt: 100, lte: 5000 } };

// Untyped options (built from a query string) still compile: the planner checks them at run time.
export const loose: FindOptions = { filters: { anything: { like: 1 } }, orderBy: { field: 'x' } };

// @ts-expect-error a typo in a filter key
export const typo: IFilterOptions<IUserEntity> = { emial: 'a@b.c' };
// @ts-expect-error a value of the wrong type
export const wrongValue: IFilterOptions<IUserEntity> = { emailVerified: 'yes' };
// @ts-expect-error an enum property takes only its members (a TypeScript enum: its members)
export const wrongMember: IFilterOptions<IUserEntity> = { status: 'gone' };
// @ts-expect-error like applies to text only
export const likeOnNumber: IFilterOptions<IPaymentEntity> = { amount: { like: '1%' } };
// @ts-expect-error gt does not apply to booleans
export const gtOnBoolean: IFilterOptions<IUserEntity> = { emailVerified: { gt: true } };
// @ts-expect-error in takes an array of the property's type
export const inOfWrongType: IFilterOptions<IPaymentEntity> = { amount: { in: ['1'] } };
// @ts-expect-error null only on a nullable property
export const nullOnRequired: IFilterOptions<IUserEntity> = { email: null };
// @ts-expect-error a typo inside an or group
export const typoInGroup: IFilterOptions<IUserEntity> = { or: [{ emial: 'a' }] };
// @ts-expect-error orderBy names a property
export const badOrder: FindOptions<IUserEntity> = { orderBy: { field: 'nmae' } };
// @ts-expect-error select names properties
export const badSelect: FindOptions<IUserEntity> = { select: ['id', 'nmae'] };

export async function repositories(): Promise<void> {
  // @ts-expect-error repositories take the typed options
  await users.findMany({ filters: { emial: 'a@b.c' } });
  // @ts-expect-error findFirst with filters only
  await users.findFirst({ emial: 'a@b.c' });
  // @ts-expect-error count takes typed filters
  await payments.count({ amount: 'ten' });
  // @ts-expect-error a bad order field on a page
  await users.findWithPagination({ orderBy: { field: 'nope' } });

  // The result narrows to the selected properties.
  const narrow = await users.findMany({ select: ['id', 'email'] });
  const email: string = narrow[0].email;
  // @ts-expect-error firstName was not selected
  void narrow[0].firstName;
  const whole = await users.findMany({ filters: { email: 'a@b.c' } });
  const first: string = whole[0].firstName;
  const page = await users.findWithPagination({
    select: ['id'],
    pagination: { page: 1, limit: 5 },
  });
  const id: string = page.data[0].id;
  // @ts-expect-error only id was selected
  void page.data[0].email;
  const one = await users.findFirst({ filters: { email }, select: ['email'] });
  // @ts-expect-error only email was selected
  void one?.id;
  void [first, id];
}

// Options built untyped (from a query string) are accepted by a typed repository too.
declare const fromQueryString: FindOptions;
declare const filtersFromQueryString: IFilterOptions;
export async function untypedCallers(): Promise<void> {
  const all: IUserEntity[] = await users.findMany(fromQueryString);
  void all;
  await users.count(filtersFromQueryString);
  await users.findFirst(filtersFromQueryString);
}

// The adapter contract takes untyped options and narrows the rows by select as well.
declare const adapter: IDatabaseAdapter;
export async function adapterReads(): Promise<void> {
  const some = await adapter.findMany({ select: ['id', 'email'] }, usersTable);
  const mail: string = some[0].email;
  // @ts-expect-error firstName was not selected
  void some[0].firstName;
  const every = await adapter.findMany({ filters: { anything: 1 } }, usersTable);
  const name: string = every[0].firstName;
  const first = await adapter.findFirst({ select: ['status'] }, usersTable);
  // @ts-expect-error only status was selected
  void first?.email;
  // The contract is the runtime boundary: an unknown name compiles here (as untyped input) and is
  // refused by the planner; repositories refuse it at compile time.
  await adapter.findMany({ select: ['nope'] }, usersTable);
  void [mail, name];
}
