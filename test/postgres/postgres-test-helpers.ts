import { Client } from 'pg';
import { PostgresAdapter } from '../../src/adapters/postgres';
import type { PostgresAdapterOptions } from '../../src/adapters/postgres';
import { UserRole, UserStatus, type IUserEntity } from '../../src/entities/user.entity';
import type { DatabaseException } from '../../src/exceptions';
import type { CreateInput } from '../../src/schema/table-definition';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

/** An adapter on a fresh, migrated database of its own, and how to dispose of both. */
export interface PostgresFixture {
  adapter: PostgresAdapter;
  database: TestDatabase;
  /** Opens another adapter on the same database (other options, same tables). */
  open(options?: Partial<PostgresAdapterOptions>): Promise<PostgresAdapter>;
  dispose(): Promise<void>;
}

/** Creates a database for one test file, migrates it and opens an adapter on it. */
export async function openPostgresFixture(
  label: string,
  options: Partial<PostgresAdapterOptions> = {},
): Promise<PostgresFixture> {
  const database = await createTestDatabase(label);
  const opened: PostgresAdapter[] = [];
  const open = async (extra: Partial<PostgresAdapterOptions> = {}): Promise<PostgresAdapter> => {
    const adapter = await PostgresAdapter.open({ connectionString: database.url, ...extra });
    opened.push(adapter);
    return adapter;
  };
  try {
    const adapter = await open({ migrate: true, ...options });
    return {
      adapter,
      database,
      open,
      async dispose() {
        await Promise.all(opened.map((a) => a.close()));
        await database.drop();
      },
    };
  } catch (error) {
    await Promise.all(opened.map((a) => a.close()));
    await database.drop();
    throw error;
  }
}

/** A valid create input for `users`, unique by `n`. */
export function userInput(
  n: number | string,
  extra: Partial<IUserEntity> = {},
): CreateInput<IUserEntity> {
  return {
    email: `user${n}@example.com`,
    firstName: 'Ada',
    lastName: 'Lovelace',
    role: UserRole.User,
    status: UserStatus.Active,
    emailVerified: false,
    ...extra,
  } as CreateInput<IUserEntity>;
}

/** The error `run` rejects with; fails the test when it resolves. */
export async function caught(run: () => Promise<unknown>): Promise<DatabaseException> {
  try {
    await run();
  } catch (error) {
    return error as DatabaseException;
  }
  throw new Error('expected a rejection');
}

/**
 * A trigger that makes the server do what a test needs inside a library statement: a user whose
 * first name is `sleep:<seconds>` sleeps that long; one whose first name is `timeout?` gets the
 * statement_timeout in force as its last name.
 */
const PROBE_TRIGGER = `
  CREATE FUNCTION ndl_test_probe() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.first_name LIKE 'sleep:%' THEN
      PERFORM pg_sleep(split_part(NEW.first_name, ':', 2)::float8);
    ELSIF NEW.first_name = 'timeout?' THEN
      NEW.last_name := current_setting('statement_timeout');
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER ndl_test_probe BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION ndl_test_probe();
`;

/** Installs {@link PROBE_TRIGGER} on the `users` table of the (migrated) database at `url`. */
export async function installProbeTrigger(url: string): Promise<void> {
  const admin = new Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(PROBE_TRIGGER);
  } finally {
    await admin.end();
  }
}
