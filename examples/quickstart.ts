/**
 * The library from plain TypeScript, no Nest: users on a SQLite file, through the public API only.
 * Run it with `npm run quickstart`.
 */
import 'reflect-metadata';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SQLiteAdapter,
  UserRepository,
  UserRole,
  UserStatus,
  type ICursorPaginatedResult,
  type IUserEntity,
} from '../src';

async function main(): Promise<void> {
  const path = join(mkdtempSync(join(tmpdir(), 'quickstart-')), 'quickstart.sqlite');
  const adapter = await SQLiteAdapter.open({ path }); // creates the file and runs the migrations
  const users = new UserRepository(adapter);
  try {
    const names = [
      'Ada Lovelace',
      'Alan Turing',
      'Grace Hopper',
      'Edsger Dijkstra',
      'Barbara Liskov',
    ];
    for (const [i, name] of names.entries()) {
      const [firstName, lastName] = name.split(' ');
      await users.create({
        email: `${firstName.toLowerCase()}@example.com`,
        firstName,
        lastName,
        role: i === 0 ? UserRole.Admin : UserRole.User,
        status: UserStatus.Active,
        emailVerified: i % 2 === 0,
      });
    }

    const verified = await users.findMany({
      filters: { emailVerified: true },
      orderBy: { field: 'lastName' },
    });
    console.log(
      'verified:',
      verified.map((u) => u.email),
    );

    const found = await users.findMany({ filters: { search: 'ho' } });
    console.log(
      'search "ho":',
      found.map((u) => `${u.firstName} ${u.lastName}`),
    );

    const page = await users.findWithPagination({
      pagination: { page: 2, limit: 2 },
      orderBy: { field: 'email' },
    });
    console.log(
      `page ${page.page}/${page.totalPages} of ${page.total}:`,
      page.data.map((u) => u.email),
    );

    let cursor: string | null = null;
    do {
      const batch: ICursorPaginatedResult<IUserEntity> = await users.findWithPagination({
        pagination: { after: cursor, limit: 2 },
      });
      console.log(
        'cursor page:',
        batch.data.map((u) => u.email),
      );
      cursor = batch.nextCursor;
    } while (cursor);

    const grace = await users.findByEmail('GRACE@example.com');
    await users.softDelete(grace!.id);
    console.log(
      'after soft delete:',
      await users.count(),
      'live,',
      await users.count({}, { includeDeleted: true }),
      'in all',
    );
    await users.restore(grace!.id);
    console.log('after restore:', await users.count(), 'live');
  } finally {
    await adapter.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
