import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { DATABASE_ADAPTER } from '../../src/database.constants';
import { BaseEntity } from '../../src/entities/base.entity';
import { ValidationException } from '../../src/exceptions';
import {
  BaseRepository,
  type CreateInputWithDefaults,
} from '../../src/repositories/base.repository';
import { UserRepository } from '../../src/repositories/user.repository';
import type { CreateInput, IBaseEntity } from '../../src/schema/table-definition';
import { defineTable } from '../../src/schema/table-definition';
import { openSqliteTestDatabase, type SqliteTestDatabase } from './support/sqlite-test-database';

// What a library user writes for a table of their own: interface, entity class, table, repository.
interface INote extends IBaseEntity {
  title: string;
  body?: string | null;
  pinned: boolean;
}

class NoteEntity extends BaseEntity implements INote {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @IsOptional()
  @IsString()
  body?: string | null;

  @IsBoolean()
  pinned!: boolean;
}

const notesTable = defineTable<INote>({
  name: 'notes',
  entity: NoteEntity,
  columns: {
    title: { type: 'string' },
    body: { type: 'text', nullable: true },
    pinned: { type: 'boolean' },
  },
  searchable: ['title', 'body'],
});

@Injectable()
class NotesRepository extends BaseRepository<INote, CreateInputWithDefaults<INote, 'pinned'>> {
  protected readonly table = notesTable;
  protected override readonly entityClass = NoteEntity;

  findPinned(): Promise<INote[]> {
    return this.findMany({ filters: { pinned: true }, orderBy: { field: 'title' } });
  }

  protected override prepareCreate(
    data: CreateInputWithDefaults<INote, 'pinned'>,
  ): CreateInput<INote> {
    return { ...data, pinned: data.pinned ?? false };
  }
}

/** The migration a library user would add for the table (SQLite dialect). */
const NOTES_SQL = `
  CREATE TABLE notes (
    id TEXT NOT NULL PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT,
    pinned INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
  ) STRICT;
  CREATE INDEX notes_created_at_id_idx ON notes (created_at, id);
`;

describe('A custom repository extending BaseRepository', () => {
  let db: SqliteTestDatabase;
  let notes: NotesRepository;

  beforeEach(async () => {
    db = await openSqliteTestDatabase(NOTES_SQL);
    notes = new NotesRepository(db.adapter);
  });

  afterEach(async () => {
    await db.close();
  });

  it('creates, reads, updates and soft-deletes rows of its own table as entity instances', async () => {
    const note = await notes.create({ title: 'Groceries', body: 'milk, eggs' });
    expect(note).toBeInstanceOf(NoteEntity);
    expect(note).toMatchObject({ title: 'Groceries', pinned: false, deletedAt: null });

    const pinned = await notes.update(note.id, { pinned: true });
    expect(pinned.pinned).toBe(true);
    expect(await notes.findPinned()).toHaveLength(1);
    expect((await notes.findMany({ filters: { search: 'EGGS' } })).map((n) => n.id)).toEqual([
      note.id,
    ]);

    await notes.softDelete(note.id);
    expect(await notes.exists(note.id)).toBe(false);
    expect((await notes.restore(note.id)).id).toBe(note.id);
    await notes.hardDelete(note.id);
    expect(await notes.count({}, { includeDeleted: true })).toBe(0);
  });

  it('validates input with the entity class rules', async () => {
    const attempt = notes.create({ title: '', body: 7 as unknown as string });

    await expect(attempt).rejects.toBeInstanceOf(ValidationException);
    await expect(attempt).rejects.toMatchObject({
      violations: [
        expect.objectContaining({ field: 'title' }),
        expect.objectContaining({ field: 'body' }),
      ],
    });
  });

  it('upserts, counts and pages like the built-in repositories', async () => {
    await notes.createMany([{ title: 'a' }, { title: 'b' }, { title: 'c' }]);

    const page = await notes.findWithPagination({
      orderBy: { field: 'title', direction: 'desc' },
      pagination: { page: 1, limit: 2 },
    });
    expect(page.data.map((n) => n.title)).toEqual(['c', 'b']);
    expect(page.total).toBe(3);
    expect(await notes.count({ title: { in: ['a', 'b'] } })).toBe(2);
  });

  it('commits or rolls back work done inside transaction()', async () => {
    await notes.transaction(async () => {
      await notes.create({ title: 'kept' });
    });
    await expect(
      notes.transaction(async () => {
        await notes.create({ title: 'dropped' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');

    expect((await notes.findMany()).map((n) => n.title)).toEqual(['kept']);
  });

  it('is injected by Nest with the adapter, with no constructor of its own', async () => {
    const moduleRef = await Test.createTestingModule({
      providers: [
        { provide: DATABASE_ADAPTER, useValue: db.adapter },
        NotesRepository,
        UserRepository,
      ],
    }).compile();

    const injected = moduleRef.get(NotesRepository);
    const created = await injected.create({ title: 'via Nest' });

    expect((await notes.findById(created.id))?.title).toBe('via Nest');
    expect(moduleRef.get(UserRepository)).toBeInstanceOf(UserRepository);
    await moduleRef.close();
  });
});
