import { UserRepository } from '../../src/repositories';
import { usersTable } from '../../src/schema';
import { withTracing } from '../../src/tracing';
import { nameTree, SpanRecorder } from '../support/span-recorder';
import { CONFORMANCE_PROVIDERS, Scope, transactional, withProvider } from './conformance-setup';

// One SDK for the file: the context manager is global, as an application's would be.
const recorder = new SpanRecorder();
afterAll(() => recorder.stop());

describe.each(CONFORMANCE_PROVIDERS)('tracing', (provider) => {
  withProvider(provider, (db) => {
    const traced = () => withTracing(db.adapter, { tracerProvider: recorder.provider });
    beforeEach(() => recorder.reset());

    it('nests each call under the caller’s active span', async () => {
      const scope = new Scope();
      const adapter = traced();
      await recorder.inSpan('GET /users', async () => {
        const user = await adapter.create(scope.user(), usersTable);
        await adapter.findById(user.id, usersTable);
        await adapter.count(scope.users(), usersTable);
      });
      expect(recorder.trees().map(nameTree)).toEqual([
        { 'GET /users': ['create users', 'findById users', 'count users'] },
      ]);
    });

    it(
      'wraps the statements of a transaction, and a nested one as a savepoint, in their spans',
      transactional(db, async () => {
        const scope = new Scope();
        const adapter = traced();
        const users = new UserRepository(adapter);
        await recorder.inSpan('POST /users', async () => {
          await adapter.transaction(async () => {
            const user = await users.create(scope.user());
            await adapter.transaction(async () => {
              await users.update(user.id, { firstName: 'Grace' });
            });
            await users.findById(user.id);
          });
        });
        expect(recorder.trees().map(nameTree)).toEqual([
          {
            'POST /users': [
              {
                transaction: ['create users', { savepoint: ['update users'] }, 'findById users'],
              },
            ],
          },
        ]);
      }),
    );

    it(
      'keeps calls made after a transaction out of its span',
      transactional(db, async () => {
        const scope = new Scope();
        const adapter = traced();
        await recorder.inSpan('job', async () => {
          const user = await adapter.transaction(() => adapter.create(scope.user(), usersTable));
          await adapter.findById(user.id, usersTable);
        });
        expect(recorder.trees().map(nameTree)).toEqual([
          { job: [{ transaction: ['create users'] }, 'findById users'] },
        ]);
      }),
    );
  });
});
