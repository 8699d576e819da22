import type { IUserEntity } from '../../src/entities/user.entity';
import {
  PermissionException,
  RecordNotFoundException,
  ValidationException,
} from '../../src/exceptions';
import { usersTable } from '../../src/schema/users.table';
import { describeWithPostgres } from '../support/postgres';
import { openPostgresFixture, userInput, type PostgresFixture } from './postgres-test-helpers';

describeWithPostgres('PostgresAdapter.withClaims (row-level security)', () => {
  let fixture: PostgresFixture;
  let alice: IUserEntity;
  let bob: IUserEntity;

  beforeAll(async () => {
    fixture = await openPostgresFixture('pg_rls');
    alice = await fixture.adapter.create(userInput('alice'), usersTable);
    bob = await fixture.adapter.create(userInput('bob'), usersTable);
  });
  afterAll(() => fixture?.dispose());

  it('reads only the rows the policies give the user', async () => {
    const asAlice = fixture.adapter.withClaims({ sub: alice.id });
    expect((await asAlice.findMany<IUserEntity>({}, usersTable)).map((u) => u.id)).toEqual([
      alice.id,
    ]);
    expect(await asAlice.count(undefined, usersTable)).toBe(1);
    expect(await asAlice.findById(bob.id, usersTable)).toBeNull();
  });

  it('aggregates and iterates only the rows the policies give the user', async () => {
    const asAlice = fixture.adapter.withClaims({ sub: alice.id });
    expect(await asAlice.aggregate({ count: true }, usersTable)).toEqual([{ count: 1 }]);
    const seen: string[] = [];
    for await (const user of asAlice.iterate({}, usersTable, { batchSize: 1 })) seen.push(user.id);
    expect(seen).toEqual([alice.id]);
  });

  it('updates the user’s own row, cannot see others’ and is refused columns it may not change', async () => {
    const asAlice = fixture.adapter.withClaims({ sub: alice.id });
    const updated = await asAlice.update<IUserEntity>(
      alice.id,
      { firstName: 'Alicia' },
      usersTable,
    );
    expect(updated.firstName).toBe('Alicia');
    await expect(
      asAlice.update<IUserEntity>(bob.id, { firstName: 'Hacked' }, usersTable),
    ).rejects.toBeInstanceOf(RecordNotFoundException);
    await expect(
      asAlice.update<IUserEntity>(alice.id, { email: 'taken@example.com' }, usersTable),
    ).rejects.toBeInstanceOf(PermissionException);
    await expect(asAlice.create(userInput('intruder'), usersTable)).rejects.toBeInstanceOf(
      PermissionException,
    );
  });

  it('runs raw SQL as the user: the policies apply, and bulk writes see only the user’s rows', async () => {
    const asAlice = fixture.adapter.withClaims({ sub: alice.id });
    const rows = await asAlice.sql<{ id: string; uid: string }>`
      SELECT id, auth.uid()::text AS uid FROM users WHERE id IN (${alice.id}, ${bob.id})`;
    expect(rows).toEqual([{ id: alice.id, uid: alice.id }]);
    const mapped = await asAlice.sql.map(usersTable)<IUserEntity>`SELECT * FROM users`;
    expect(mapped.map((u) => u.id)).toEqual([alice.id]);
    const both = { id: [alice.id, bob.id] };
    expect(await asAlice.updateMany(both, { firstName: 'Alicia' }, usersTable)).toBe(1);
    expect(await fixture.adapter.sql`SELECT id FROM users`).toHaveLength(2);
  });

  it('leaves the adapter itself unrestricted, also inside a shared transaction', async () => {
    const asBob = fixture.adapter.withClaims({ sub: bob.id });
    await fixture.adapter.transaction(async () => {
      expect(await asBob.count(undefined, usersTable)).toBe(1);
      // The role and claims were put back after the scoped call.
      expect(await fixture.adapter.count(undefined, usersTable)).toBe(2);
    });
    expect(await fixture.adapter.count(undefined, usersTable)).toBe(2);
  });

  it('runs a scoped transaction as the user throughout', async () => {
    const asBob = fixture.adapter.withClaims({ sub: bob.id });
    const seen = await asBob.transaction(async () => asBob.findMany<IUserEntity>({}, usersTable));
    expect(seen.map((u) => u.id)).toEqual([bob.id]);
  });

  it('rejects claims without a subject', () => {
    expect(() => fixture.adapter.withClaims({ sub: '' })).toThrow(ValidationException);
  });
});
