import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BaseRepository } from '../../../src/repositories/base.repository';
import { defineTable, type EntityOf } from '../../../src/schema/table-definition';
import { DatabaseModule } from '../../../src/database.module';
import { DatabaseTestingModule, type DatabaseTestingOptions } from '../../../src/testing';
import { describeWithPostgres } from '../../support/postgres';

/** An application's own table, declared once. */
export const invoicesTable = defineTable({
  name: 'invoices',
  columns: {
    number: { type: 'string', unique: true, length: 20 },
    amountCents: { type: 'integer', range: { min: 0, max: 1_000_000 } },
    status: { type: 'string', enum: ['draft', 'sent', 'paid'], default: 'draft' },
    note: { type: 'text', nullable: true },
  },
});

export type Invoice = EntityOf<typeof invoicesTable>;

/** The application's repository of that table. */
@Injectable()
export class InvoicesRepository extends BaseRepository<Invoice> {
  protected readonly table = invoicesTable;
}

const SQLITE_UP = `CREATE TABLE invoices (
  id TEXT NOT NULL PRIMARY KEY,
  number TEXT NOT NULL,
  amount_cents INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'paid')),
  note TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT
) STRICT;
CREATE UNIQUE INDEX invoices_number_key ON invoices (number) WHERE deleted_at IS NULL;
CREATE INDEX invoices_created_at_id_idx ON invoices (created_at, id);
`;

const POSTGRES_UP = `CREATE TABLE invoices (
  id uuid PRIMARY KEY,
  number text COLLATE "C" NOT NULL,
  amount_cents integer NOT NULL,
  status text COLLATE "C" NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'sent', 'paid')),
  note text COLLATE "C",
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at timestamptz(3)
);
CREATE UNIQUE INDEX invoices_number_key ON invoices (number) WHERE deleted_at IS NULL;
CREATE INDEX invoices_created_at_id_idx ON invoices (created_at, id);
`;

/** A temporary app migrations root (`sqlite/`, `postgres/`) creating `invoices`. */
export interface AppMigrations {
  readonly path: string;
  remove(): void;
}

/** Writes the app's migrations into a fresh temporary folder. */
export function writeAppMigrations(): AppMigrations {
  const path = mkdtempSync(join(tmpdir(), 'ndl-testkit-app-'));
  const files = { sqlite: SQLITE_UP, postgres: POSTGRES_UP };
  for (const [dialect, up] of Object.entries(files)) {
    mkdirSync(join(path, dialect));
    const base = join(path, dialect, '20260101000000_create_invoices');
    writeFileSync(`${base}.up.sql`, up);
    writeFileSync(`${base}.down.sql`, 'DROP TABLE invoices;\n');
  }
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** One provider the test kit boots on, with the describe that skips it when it cannot run. */
export interface TestKitProvider {
  readonly provider: NonNullable<DatabaseTestingOptions['provider']>;
  readonly describe: (name: string, fn: () => void) => void;
  /** Extra options (the admin URL of the test server). */
  readonly options: () => DatabaseTestingOptions;
}

/** The three providers of the test kit, each test file loops over them. */
export const TEST_KIT_PROVIDERS: readonly TestKitProvider[] = [
  { provider: 'sqlite', describe, options: () => ({}) },
  { provider: 'pglite', describe, options: () => ({}) },
  {
    provider: 'postgres',
    describe: describeWithPostgres,
    options: () => ({ adminUrl: process.env.TEST_PG_ADMIN_URL }),
  },
];

/**
 * How long a boot may take: PGlite runs initdb and every migration, which on a busy machine
 * takes well over Jest's default.
 */
export const BOOT_TIMEOUT_MS = 120_000;

/**
 * Boots the test module as an app's test does: the app's migrations (from a temporary folder,
 * read at boot and removed after it) and its repository, on top of `options`.
 */
export async function bootInvoicesApp(
  options: DatabaseTestingOptions = {},
): Promise<TestingModule> {
  const app = writeAppMigrations();
  try {
    return await Test.createTestingModule({
      imports: [
        DatabaseTestingModule.forRoot({ migrations: { directories: [app.path] }, ...options }),
        DatabaseModule.forFeature([InvoicesRepository]),
      ],
    }).compile();
  } finally {
    app.remove();
  }
}
