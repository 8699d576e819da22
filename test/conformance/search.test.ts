import { paymentsTable, usersTable, webhookEventsTable } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  expectValidation,
  sortedIds,
  withProvider,
} from './conformance-setup';

describe.each(CONFORMANCE_PROVIDERS)('search', (provider) => {
  withProvider(provider, (db) => {
    async function searchUsers(scope: Scope, search: string): Promise<string[]> {
      return sortedIds(
        await db.adapter.findMany({ filters: { ...scope.users(), search } }, usersTable),
      );
    }

    it('finds a case-insensitive substring in email, firstName or lastName', async () => {
      const scope = new Scope();
      const [byEmail, byFirst, byLast, none] = await db.adapter.createMany(
        [
          scope.user({ email: scope.email('quokka') }),
          scope.user({ firstName: 'QuOkKa' }),
          scope.user({ lastName: 'Mcquokkason' }),
          scope.user({ firstName: 'Wombat', passwordHash: 'quokka', phone: 'quokka' }),
        ],
        usersTable,
      );
      expect(await searchUsers(scope, 'quokka')).toEqual(sortedIds([byEmail, byFirst, byLast]));
      expect(await searchUsers(scope, 'QUOKKA')).toEqual(sortedIds([byEmail, byFirst, byLast]));
      expect(await searchUsers(scope, 'wOmB')).toEqual([none.id]);
      expect(await searchUsers(scope, 'kangaroo')).toEqual([]);
    });

    it('folds ASCII letters only', async () => {
      const scope = new Scope();
      const [accented] = await db.adapter.createMany(
        [scope.user({ firstName: 'Émile' }), scope.user({ firstName: 'emile' })],
        usersTable,
      );
      expect(await searchUsers(scope, 'ÉMILE')).toEqual([accented.id]);
      expect(await searchUsers(scope, 'émile')).toHaveLength(0);
    });

    it('combines with other filters by AND, and an empty search matches everything', async () => {
      const scope = new Scope();
      const [verified] = await db.adapter.createMany(
        [
          scope.user({ firstName: 'Quill', emailVerified: true }),
          scope.user({ firstName: 'Quill', emailVerified: false }),
        ],
        usersTable,
      );
      const rows = await db.adapter.findMany(
        { filters: { ...scope.users(), search: 'quill', emailVerified: true } },
        usersTable,
      );
      expect(sortedIds(rows)).toEqual([verified.id]);
      expect(await db.adapter.count({ ...scope.users(), search: '' }, usersTable)).toBe(2);
    });

    it('takes %, _ and \\ in the search text literally', async () => {
      const scope = new Scope();
      const [percent, underscore, , backslash, plain] = await db.adapter.createMany(
        [
          scope.user({ firstName: 'Zed%Percent' }),
          scope.user({ firstName: 'Quiz a_b' }),
          scope.user({ firstName: 'Quiz axb' }),
          scope.user({ firstName: 'Back\\slash' }),
          scope.user({ firstName: 'Backslash' }),
        ],
        usersTable,
      );
      expect(await searchUsers(scope, '%')).toEqual([percent.id]);
      expect(await searchUsers(scope, 'd%p')).toEqual([percent.id]);
      expect(await searchUsers(scope, 'a_b')).toEqual([underscore.id]);
      expect(await searchUsers(scope, '_')).toEqual([underscore.id]);
      expect(await searchUsers(scope, '\\')).toEqual([backslash.id]);
      expect(await searchUsers(scope, 'k\\S')).toEqual([backslash.id]);
      expect(await searchUsers(scope, 'kslash')).toEqual([plain.id]);
    });

    it('searches the searchable columns of other tables', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const [refund] = await db.adapter.createMany(
        [
          scope.payment(user.id, { description: 'Refund for Order 42' }),
          scope.payment(user.id, { description: 'Monthly plan' }),
          scope.payment(user.id, { description: null }),
        ],
        paymentsTable,
      );
      const rows = await db.adapter.findMany(
        { filters: { userId: user.id, search: 'ORDER 4' } },
        paymentsTable,
      );
      expect(sortedIds(rows)).toEqual([refund.id]);
    });

    it('rejects search on a table without searchable columns', async () => {
      await expectValidation(
        () => db.adapter.findMany({ filters: { search: 'x' } }, webhookEventsTable),
        'search',
      );
    });
  });
});
