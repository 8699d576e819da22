import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import type { IFilterOptions } from '../../src/adapters/database-adapter.interface';
import { DatabaseException, ValidationException } from '../../src/exceptions';
import type { IUserEntity } from '../../src/entities/user.entity';
import { UserRepository } from '../../src/repositories';
import { allowQueriesOn, usersTable, webhookEventsTable } from '../../src/schema';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  caught,
  expectValidation,
  withProvider,
} from './conformance-setup';

/** A bcrypt-shaped hash: what a prefix oracle on `passwordHash` would read back. */
const HASH = '$2b$10$S3cr3tSaltAndHashThatMustNeverLeak0123456789abcdefghi';

/** Everything an exception shows, down its whole cause chain. */
function everythingShown(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: 10, showHidden: true })];
  for (let e: unknown = error; e !== undefined && e !== null; e = (e as Error).cause) {
    parts.push(String((e as Error).message), JSON.stringify(e) ?? '', inspect(e, { depth: 10 }));
    for (const key of Object.getOwnPropertyNames(e)) parts.push(String((e as never)[key]));
  }
  return parts.join('\n');
}

describe.each(CONFORMANCE_PROVIDERS)('sensitive columns', (provider) => {
  withProvider(provider, (db) => {
    it('refuses filters and orders on a sensitive column unless the table opts in', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user({ passwordHash: HASH }), usersTable);
      const oracles: IFilterOptions[] = [
        { passwordHash: { like: '$2b$10$S%' } },
        { passwordHash: { ilike: '$2B$10$S%' } },
        { passwordHash: { gt: '$2b$10$R' } },
        { passwordHash: HASH },
        { passwordHash: [HASH] },
        { passwordHash: null },
        { passwordHash: { isNull: false } },
      ];
      for (const filters of oracles) {
        await expectValidation(
          () => db.adapter.findMany({ filters: { ...scope.users(), ...filters } }, usersTable),
          'passwordHash',
        );
        await expectValidation(() => db.adapter.count(filters, usersTable), 'passwordHash');
        await expectValidation(
          () => new UserRepository(db.adapter).findFirst(filters),
          'passwordHash',
        );
      }
      for (const pagination of [undefined, { limit: 5 }]) {
        await expectValidation(
          () =>
            db.adapter.findPage(
              { orderBy: { field: 'passwordHash', direction: 'desc' }, pagination },
              usersTable,
            ),
          'passwordHash',
        );
      }
      const opted = allowQueriesOn(usersTable, ['passwordHash']);
      const found = await db.adapter.findMany(
        { filters: { ...scope.users(), passwordHash: { like: '$2b$10$S%' } } },
        opted,
      );
      expect(found.map((u) => u.id)).toEqual([user.id]);
      expect(found[0].passwordHash).toBe(HASH);
      expect(usersTable.column('passwordHash')?.queryable).toBe(false);
    });

    it('keeps a sensitive value out of util.inspect, console.log and JSON of every entity it returns', async () => {
      const scope = new Scope();
      const users = new UserRepository(db.adapter);
      const created = await db.adapter.create(scope.user({ passwordHash: HASH }), usersTable);
      const [many] = await db.adapter.createMany([scope.user({ passwordHash: HASH })], usersTable);
      const returned: IUserEntity[] = [
        created,
        many,
        (await db.adapter.findById(created.id, usersTable))!,
        (await db.adapter.findByIds([created.id], usersTable))[0],
        (await db.adapter.findFirst({ filters: { id: created.id } }, usersTable))!,
        await db.adapter.update(created.id, { firstName: 'Changed' }, usersTable),
        (await users.findWithBilling({ filters: { id: created.id } })).data[0].user,
        (
          await db.adapter.upsert(scope.user({ passwordHash: HASH }), usersTable, {
            conflictField: 'email',
            onConflict: 'update',
          })
        ).record,
      ];
      // A console like the global one, writing to a buffer (jest replaces the global console).
      const logged: string[] = [];
      const sink = new Writable({
        write(chunk, _encoding, done) {
          logged.push(String(chunk));
          done();
        },
      });
      const recorder = new Console({ stdout: sink, stderr: sink });
      for (const user of returned) recorder.log(user, { nested: user });
      for (const user of returned) {
        expect(user.passwordHash).toBe(HASH);
        expect(inspect(user)).not.toContain(HASH);
        expect(inspect({ deep: [user] }, { depth: 5 })).not.toContain(HASH);
        expect(JSON.stringify(user)).not.toContain(HASH);
        expect(JSON.stringify({ page: [user] })).not.toContain(HASH);
        expect(Object.keys(user)).not.toContain('passwordHash');
        expect('passwordHash' in user).toBe(true);
      }
      expect(logged.join('')).toContain(created.id);
      expect(logged.join('')).not.toContain(HASH);
      // Entities of one row still compare equal, sensitive property included.
      expect(returned[2]).toEqual(created);
      expect(returned[2].passwordHash).toEqual(created.passwordHash);
    });

    it('hides a webhook payload the same way, and keeps it readable', async () => {
      const scope = new Scope();
      const payload = { object: { client_secret: 'pi_123_secret_do_not_log' } };
      const event = await db.adapter.create(scope.webhookEvent({ payload }), webhookEventsTable);
      const read = (await db.adapter.findById(event.id, webhookEventsTable))!;
      for (const entity of [event, read]) {
        expect(entity.payload).toEqual(payload);
        expect(inspect(entity)).not.toContain('do_not_log');
        expect(JSON.stringify(entity)).not.toContain('do_not_log');
      }
    });

    it("keeps the failing row out of a CHECK violation's whole cause chain", async () => {
      const scope = new Scope();
      // users.role has a CHECK constraint the adapter does not check itself: the database refuses.
      const error = await caught(() =>
        db.adapter.create(scope.user({ passwordHash: HASH, role: 'Emperor' as never }), usersTable),
      );
      expect(error).toBeInstanceOf(ValidationException);
      expect(error).toBeInstanceOf(DatabaseException);
      expect((error as Error).cause).toBeDefined();
      expect(everythingShown(error)).not.toContain(HASH);
      expect(everythingShown(error)).not.toContain('S3cr3t');
      expect(await db.adapter.count(scope.users(), usersTable)).toBe(0);
    });
  });
});
