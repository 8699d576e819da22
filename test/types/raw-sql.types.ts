/**
 * Compile-time checks of raw SQL and the bulk writes (`npm run typecheck`, run through
 * test/types/type-tests.spec.ts).
 */
import { usersTable, type IDatabaseAdapter, type IUserEntity, type UpsertResult } from '../../src';

export async function rawSqlTypes(adapter: IDatabaseAdapter): Promise<void> {
  // Rows as objects by default, or the row type given.
  const plain: Record<string, unknown>[] = await adapter.sql`SELECT 1 AS one`;
  const typed: { id: string }[] = await adapter.sql<{ id: string }>`SELECT id FROM users`;
  // @ts-expect-error the row type is given, not guessed from the assignment
  const guessed: { id: number }[] = await adapter.sql`SELECT 1 AS id`;
  // Mapped through a table: its entities, or a narrower row type.
  const users: IUserEntity[] = await adapter.sql.map(usersTable)`SELECT * FROM users`;
  const ids: Pick<IUserEntity, 'id'>[] = await adapter.sql.map(usersTable)<Pick<IUserEntity, 'id'>>`
    SELECT id FROM users`;
  // @ts-expect-error a mapped row is the entity, not any shape
  const wrong: { nope: number }[] = await adapter.sql.map(usersTable)`SELECT * FROM users`;
  void [plain, typed, guessed, users, ids, wrong];
}

export async function bulkWriteTypes(adapter: IDatabaseAdapter): Promise<void> {
  const changed: number = await adapter.updateMany(
    { firstName: 'x' },
    { lastName: 'y' },
    usersTable,
  );
  const all: number = await adapter.softDeleteMany(undefined, usersTable, { all: true });
  const purged: number = await adapter.deleteMany({}, usersTable, {
    all: true,
    includeDeleted: true,
  });
  // @ts-expect-error includeDeleted is deleteMany's only
  await adapter.restoreMany({}, usersTable, { includeDeleted: true });
  const results: UpsertResult<IUserEntity>[] = await adapter.upsertMany([], usersTable, {
    conflictField: 'email',
    onConflict: 'update',
  });
  void [changed, all, purged, results];
}
