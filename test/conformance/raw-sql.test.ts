import type { QueryEvent } from '../../src/adapters/query-observer';
import { REDACTED } from '../../src/adapters/query-observer';
import {
  DatabaseException,
  UniqueConstraintException,
  ValidationException,
} from '../../src/exceptions';
import { withObservation } from '../../src/observation/observed.adapter';
import { usersTable } from '../../src/schema';
import type { IUserEntity } from '../../src/entities/user.entity';
import {
  CONFORMANCE_PROVIDERS,
  Scope,
  caught,
  transactional,
  withProvider,
} from './conformance-setup';

const HOSTILE = "'; DROP TABLE users; --";

describe.each(CONFORMANCE_PROVIDERS)('raw sql', (provider) => {
  withProvider(provider, (db) => {
    it('has the capability on every SQL provider', () => {
      expect(db.adapter.capabilities.rawSql).toBe(true);
    });

    it('binds every value and returns rows as objects keyed by column name', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user({ firstName: 'Raw' }), usersTable);
      const rows = await db.adapter.sql<{ id: string; email: string; first_name: string }>`
        SELECT id, email, first_name FROM users WHERE email = ${user.email} AND first_name = ${'Raw'}`;
      expect(rows).toEqual([{ id: user.id, email: user.email, first_name: 'Raw' }]);
    });

    it('keeps hostile values values: nothing is spliced into the text', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      expect(await db.adapter.sql`SELECT id FROM users WHERE first_name = ${HOSTILE}`).toEqual([]);
      await db.adapter.sql`UPDATE users SET last_name = ${HOSTILE} WHERE id = ${user.id}`;
      expect((await db.adapter.findById(user.id, usersTable))!.lastName).toBe(HOSTILE);
      const [row] = await db.adapter.sql<{ n: unknown }>`
        SELECT COUNT(*) AS n FROM users WHERE last_name = ${HOSTILE} AND id = ${user.id}`;
      expect(Number(row.n)).toBe(1);
    });

    it('binds booleans, Dates, numbers and null the same way on every engine', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user({ emailVerified: true }), usersTable);
      const rows = await db.adapter.sql<{ id: string }>`
        SELECT id FROM users
        WHERE id = ${user.id} AND email_verified = ${true} AND created_at > ${new Date(0)}
          AND ${1} = ${1} AND phone IS NOT DISTINCT FROM ${null}`;
      expect(rows).toEqual([{ id: user.id }]);
    });

    it('maps rows through a table definition as reads do, keeping other columns as they are', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user({ emailVerified: true }), usersTable);
      const [mapped] = await db.adapter.sql.map(
        usersTable,
      )`SELECT * FROM users WHERE id = ${user.id}`;
      expect(mapped).toEqual(await db.adapter.findById(user.id, usersTable));
      expect(mapped.emailVerified).toBe(true);
      const [partial] = await db.adapter.sql.map(usersTable)<
        Pick<IUserEntity, 'id' | 'createdAt'> & { extra: unknown }
      >`SELECT id, created_at, 7 AS extra FROM users WHERE id = ${user.id}`;
      expect(partial).toEqual({ id: user.id, createdAt: user.createdAt, extra: 7 });
    });

    it(
      'runs on the transaction: it sees the transaction’s writes, and a rollback undoes its own',
      transactional(db, async () => {
        const scope = new Scope();
        const kept = await db.adapter.create(scope.user(), usersTable);
        await caught(() =>
          db.adapter.transaction(async () => {
            const inside = await db.adapter.create(scope.user(), usersTable);
            const seen = await db.adapter.sql<{ id: string }>`
              SELECT id FROM users WHERE id = ${inside.id}`;
            expect(seen).toEqual([{ id: inside.id }]);
            await db.adapter.sql`UPDATE users SET last_name = ${'Gone'} WHERE id = ${kept.id}`;
            await db.adapter.sql`DELETE FROM users WHERE id = ${kept.id}`;
            throw new Error('roll back');
          }),
        );
        const after = await db.adapter.findById(kept.id, usersTable);
        expect(after?.lastName).toBe('Lovelace');
        expect(await db.adapter.count(scope.users(), usersTable)).toBe(1);
      }),
    );

    it('maps errors to library exceptions, and runs one statement only', async () => {
      const scope = new Scope();
      const user = await db.adapter.create(scope.user(), usersTable);
      const syntax = await caught(() => db.adapter.sql`SELEC oops`);
      expect(syntax).toBeInstanceOf(DatabaseException);
      const twice = await caught(
        () => db.adapter.sql`SELECT id FROM users WHERE id = ${user.id}; DELETE FROM users`,
      );
      expect(twice).toBeInstanceOf(DatabaseException);
      // Without values too: no engine falls back to a protocol that runs several statements.
      const noValues = await caught(() => db.adapter.sql`SELECT 1 AS a; DELETE FROM users`);
      expect(noValues).toBeInstanceOf(DatabaseException);
      expect(await db.adapter.findById(user.id, usersTable)).not.toBeNull();
      const other = await db.adapter.create(scope.user(), usersTable);
      const clash = await caught(
        () => db.adapter.sql`UPDATE users SET email = ${user.email} WHERE id = ${other.id}`,
      );
      expect(clash).toBeInstanceOf(UniqueConstraintException);
    });

    it('refuses values it cannot bind, and text that is not a template', async () => {
      for (const value of [undefined, { a: 1 }, [1, 2], Number.NaN, new Date('nope'), () => 1]) {
        const error = await caught(() => db.adapter.sql`SELECT ${value} AS v`);
        expect(error).toBeInstanceOf(ValidationException);
      }
      const notTemplate = await caught(() =>
        (db.adapter.sql as unknown as (text: string) => Promise<unknown>)('SELECT 1'),
      );
      expect(notTemplate).toBeInstanceOf(ValidationException);
    });

    it('is observed like every other statement, its values redacted', async () => {
      const events: QueryEvent[] = [];
      const observed = withObservation(db.adapter, {
        wantsStatements: true,
        onQuery: (event) => events.push(event),
      });
      await observed.sql.map(usersTable)`SELECT id FROM users WHERE email = ${'secret@x.test'}`;
      await observed.sql`SELECT ${1} AS one`;
      expect(events.map((e) => [e.operation, e.table])).toEqual([
        ['runSql', 'users'],
        ['runSql', ''],
      ]);
      expect(events[0].statement).toContain('SELECT id FROM users WHERE email = ');
      expect(events[0].params).toEqual([REDACTED]);
      expect(JSON.stringify(events)).not.toContain('secret@x.test');
    });
  });
});
